import type { Logger } from '../shared/logger.js';
import type { Command } from '../shared/messages.js';
import type { AgentConfig } from './config.js';
import { DeviceReturnWaiter } from './devices/device-return.js';
import { DeviceWatcher, type Device } from './devices/device-watcher.js';
import { DevicePresenceTracker } from './devices/presence.js';
import type { Journal } from './journal/journal.js';
import { AgentLink } from './mqtt/agent-link.js';
import { shouldRetell, taskLogFields, toTaskState } from './tasks/task-state.js';
import { TaskRunner, type TaskRunnerOptions } from './tasks/task-runner.js';

export interface AgentSnapshot {
  mqttConnected: boolean;
  devicesOnline: number;
  copiesRunning: number;
  /** Tasks the journal holds (the last 7 days), by state. */
  tasksByState: Record<string, number>;
  /** Package bytes of the completed tasks the journal holds. */
  completedBytes: number;
}

export interface AgentOptions {
  config: AgentConfig;
  journal: Journal;
  logger: Logger;
  version: string;
  rescanMs?: number;
  presenceRefreshMs?: number;
  copy?: TaskRunnerOptions['copy'];
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * One agent: the device watcher, the MQTT link and the task runner wired together. Tells the
 * coordinator everything it knows on every (re)connect and on `report-state`.
 */
export class Agent {
  readonly #options: AgentOptions;
  readonly #log: Logger;
  readonly #link: AgentLink;
  readonly #watcher: DeviceWatcher;
  readonly #presence: DevicePresenceTracker;
  readonly #runner: TaskRunner;
  readonly #deviceReturn: DeviceReturnWaiter;
  readonly #timers: NodeJS.Timeout[] = [];
  #deviceEvents: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(options: AgentOptions) {
    const { config, journal } = options;
    this.#options = options;
    this.#log = options.logger;
    this.#link = new AgentLink({
      url: config.mqttUrl,
      agentId: config.agentId,
      token: config.token,
      version: options.version,
      caFile: config.mqttCaFile,
    });
    this.#watcher = new DeviceWatcher(config.mountRoot, { rescanMs: options.rescanMs });
    this.#presence = new DevicePresenceTracker(
      (presence) => this.#link.publishPresence(presence),
      {
        afterMs: config.deviceGraceMs,
        clear: (serialNumber) => this.#link.clearPresence(serialNumber),
      },
    );
    this.#deviceReturn = new DeviceReturnWaiter({
      graceMs: config.deviceGraceMs,
      isPresent: (serialNumber) => this.#presence.get(serialNumber) !== undefined,
      confirm: async () => {
        await this.#watcher.rescan();
        await this.#deviceEvents;
      },
    });
    this.#runner = new TaskRunner({
      journal,
      publisher: this.#link,
      locate: (serialNumber) => this.#presence.get(serialNumber),
      endpoint: { baseUrl: config.coordinatorUrl, agentId: config.agentId, token: config.token },
      progressIntervalMs: config.progressIntervalMs,
      bwlimit: config.copyBwlimit,
      maxParallelCopies: config.maxParallelCopies,
      logger: this.#log,
      awaitDeviceReturn: (serialNumber, signal) => this.#deviceReturn.wait(serialNumber, signal),
      copy: options.copy,
    });
    this.#wire();
  }

  /** Resumes unfinished tasks, finds the devices present, then connects; resolves when ready. */
  async start(): Promise<void> {
    this.#runner.resume();
    await this.#watcher.start();
    await this.#deviceEvents;
    this.#link.start();

    const refresh = setInterval(
      () => void this.#presence.refresh(),
      this.#options.presenceRefreshMs ?? 30_000,
    );
    const prune = setInterval(() => this.#options.journal.prune(7 * 24 * HOUR_MS), HOUR_MS);
    // A heartbeat: also repairs a retained status that a late will of an old session overwrote.
    const heartbeat = setInterval(() => {
      if (this.#link.connected) this.#link.publishStatus(true, this.#presence.serialNumbers());
    }, this.#options.config.heartbeatMs);
    this.#timers.push(refresh, prune, heartbeat);
  }

  /** What the health endpoint reports: cheap to compute on every scrape. */
  snapshot(): AgentSnapshot {
    const states: Record<string, number> = {};
    let completedBytes = 0;
    for (const record of this.#options.journal.all()) {
      states[record.state] = (states[record.state] ?? 0) + 1;
      if (record.state === 'completed') completedBytes += record.packageSize ?? 0;
    }
    return {
      mqttConnected: this.#link.connected,
      devicesOnline: this.#presence.serialNumbers().length,
      copiesRunning: this.#runner.runningCount,
      tasksByState: states,
      completedBytes,
    };
  }

  /** Stops taking work, interrupts copies (they resume next start), says offline, disconnects. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#presence.close();
    await this.#runner.stop();
    await this.#watcher.close();
    await this.#deviceEvents;
    await this.#options.journal.flush();
    await this.#link.close();
  }

  #wire(): void {
    const watcher = this.#watcher;
    watcher.on('added', (device) => this.#onDevice(device, true));
    watcher.on('removed', (device) => this.#onDevice(device, false));
    watcher.on('skipped', ({ mountPath, reason }) =>
      this.#log.warn({ mountPath, reason }, 'not a device'),
    );
    watcher.on('error', (err) => this.#log.error({ err }, 'device watcher error'));

    const link = this.#link;
    link.on('connect', ({ sessionPresent }) => {
      this.#log.info({ sessionPresent }, 'mqtt connected');
      this.#retell().catch((err: unknown) => this.#log.error({ err }, 're-telling state failed'));
    });
    link.on('offline', () => this.#log.warn('mqtt offline, reconnecting'));
    // While the broker is unreachable every reconnect fails the same way: say so once.
    let lastError = '';
    link.on('connect', () => (lastError = ''));
    link.on('error', (err) => {
      if (err.message !== lastError) this.#log.warn({ err }, 'mqtt error');
      lastError = err.message;
    });
    link.on('invalidCommand', ({ topic, error }) =>
      this.#log.warn({ topic, error }, 'command dropped'),
    );
    link.on('command', (command) => {
      this.#handle(command).catch((err: unknown) =>
        this.#log.error({ err, command }, 'command failed'),
      );
    });

    this.#runner.on('ended', (record) => {
      this.#deviceReturn.forget(record.command.serialNumber);
      this.#presence.refresh(record.command.serialNumber).catch(() => {});
    });
  }

  #onDevice(device: Device, online: boolean): void {
    this.#deviceEvents = this.#deviceEvents
      .then(async () => {
        if (online) {
          await this.#presence.add(device);
          this.#runner.deviceOnline(device.serialNumber);
          this.#deviceReturn.deviceOnline(device.serialNumber);
        } else {
          this.#runner.deviceOffline(device.serialNumber);
          this.#presence.remove(device);
        }
        this.#log.info(device, online ? 'device added' : 'device removed');
        this.#link.publishStatus(true, this.#presence.serialNumbers());
      })
      .catch((err: unknown) => this.#log.error({ err, ...device }, 'device event failed'));
  }

  async #handle(command: Command): Promise<void> {
    if (this.#stopping) return;
    if (command.type === 'report-state') return this.#retell();

    if (command.type === 'cancel') {
      const outcome = await this.#runner.cancel(command.taskId);
      return void this.#log.info({ ...this.#taskIds(command.taskId), outcome }, 'cancel received');
    }
    const outcome = await this.#runner.sync(command);
    this.#log.info({ ...this.#taskIds(command.taskId), outcome }, 'sync received');
  }

  #taskIds(taskId: string) {
    return taskLogFields(taskId, this.#options.journal.get(taskId)?.command);
  }

  async #retell(): Promise<void> {
    this.#link.publishStatus(true, this.#presence.serialNumbers());
    this.#presence.republish();
    await this.#options.journal.flush();
    const now = Date.now();
    for (const record of this.#options.journal.all()) {
      if (shouldRetell(record, now)) this.#link.publishTaskState(toTaskState(record));
    }
  }
}
