import mqtt, { type MqttClient } from 'mqtt';
import {
  Command,
  parseMessage,
  type AgentStatus,
  type DevicePresence,
  type SyncCommand,
  type TaskProgress,
  type TaskState,
  type TaskStateName,
} from '../../shared/messages.js';
import { topics } from '../../shared/topics.js';
import type { AgentSpec, Behaviour, FleetCounts } from './behaviour.js';

/** What a simulated package looks like: one tiny file. */
const PACKAGE_BYTES = 16;

interface SimTask {
  command: SyncCommand;
  state: TaskStateName;
  seq: number;
  timers: NodeJS.Timeout[];
}

/**
 * One agent identity speaking real MQTT as `agent/mqtt/agent-link.ts` does (same client id,
 * credentials, session, will and QoS), answering sync commands with TaskState messages without
 * copying anything. Progress messages carry their send time in `at` and, because the SSE view
 * drops `at`, also in `currentFile` (`sent-at/<epoch ms>`).
 */
export class SimAgent {
  readonly #spec: AgentSpec;
  readonly #behaviour: Behaviour;
  readonly #counts: FleetCounts;
  readonly #client: MqttClient;
  readonly #tasks = new Map<string, SimTask>();
  /** Per device: tasks running now, and tasks waiting `accepted`, in arrival order. */
  readonly #running = new Map<string, number>();
  readonly #waiting = new Map<string, SimTask[]>();

  constructor(mqttUrl: string, token: string, spec: AgentSpec, behaviour: Behaviour, counts: FleetCounts) {
    this.#spec = spec;
    this.#behaviour = behaviour;
    this.#counts = counts;
    this.#client = mqtt.connect(mqttUrl, {
      clientId: `wst-agent-${spec.agentId}`,
      username: spec.agentId,
      password: token,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 60_000,
      resubscribe: false,
      manualConnect: true,
      will: {
        topic: topics.agentStatus(spec.agentId),
        payload: Buffer.from(JSON.stringify(this.#status(false))),
        qos: 1,
        retain: true,
      },
    });
    this.#client.on('message', (topic, payload) => this.#onMessage(topic, payload));
  }

  /** Connects, subscribes to its commands and tells its status and devices (all acknowledged). */
  async start(): Promise<void> {
    const connected = new Promise<void>((resolve, reject) => {
      this.#client.once('connect', () => resolve());
      this.#client.once('error', reject);
    });
    this.#client.connect();
    await connected;
    await this.#client.subscribeAsync(topics.commands(this.#spec.agentId), { qos: 1 });
    await this.#tell();
  }

  async stop(): Promise<void> {
    for (const task of this.#tasks.values()) task.timers.forEach(clearTimeout);
    await this.#client.endAsync(true).catch(() => undefined);
  }

  async #tell(): Promise<void> {
    const status = this.#publish(topics.agentStatus(this.#spec.agentId), this.#status(true), true);
    const devices = this.#spec.serialNumbers.map((serialNumber) => {
      const presence: DevicePresence = {
        serialNumber,
        online: true,
        mountPath: `/sim/${this.#spec.agentId}/${serialNumber}`,
        freeBytes: 8 * 1024 ** 3,
        totalBytes: 16 * 1024 ** 3,
        fsType: 'vfat',
        at: Date.now(),
      };
      return this.#publish(topics.device(this.#spec.agentId, serialNumber), presence, true);
    });
    await Promise.all([status, ...devices]);
  }

  #status(online: boolean): AgentStatus {
    const devices = online ? this.#spec.serialNumbers : [];
    return { agentId: this.#spec.agentId, online, version: 'bench-sim', devices, at: Date.now() };
  }

  #onMessage(topic: string, payload: Buffer): void {
    const parsed = parseMessage(Command, payload);
    if (!parsed.ok) return;
    const command = parsed.value;
    if (command.type === 'report-state') {
      void this.#tell().catch(() => undefined);
      for (const task of this.#tasks.values()) this.#sendState(task);
      return;
    }
    if (command.type === 'cancel') return;

    const known = this.#tasks.get(command.taskId);
    if (known) return this.#sendState(known);
    this.#counts.syncs += 1;
    const task: SimTask = { command, state: 'accepted', seq: 1, timers: [] };
    this.#tasks.set(command.taskId, task);
    this.#sendState(task);
    this.#admit(task);
  }

  /** Runs the task now if its device has room, or queues it. */
  #admit(task: SimTask): void {
    const { serialNumber } = task.command;
    const running = this.#running.get(serialNumber) ?? 0;
    const { perDevice } = this.#behaviour;
    if (perDevice > 0 && running >= perDevice) {
      let queue = this.#waiting.get(serialNumber);
      if (!queue) this.#waiting.set(serialNumber, (queue = []));
      queue.push(task);
      return;
    }
    this.#running.set(serialNumber, running + 1);
    this.#run(task);
  }

  #run(task: SimTask): void {
    this.#advance(task, 'running');
    const { runMs, progressMs } = this.#behaviour;
    if (runMs === 0) return this.#complete(task);

    if (progressMs > 0) {
      // A random phase, as copies on real agents start at unrelated moments.
      const first = setTimeout(() => {
        this.#sendProgress(task);
        const every = setInterval(() => this.#sendProgress(task), progressMs);
        task.timers.push(every);
      }, Math.random() * progressMs);
      task.timers.push(first);
    }
    if (runMs !== null) task.timers.push(setTimeout(() => this.#complete(task), runMs));
  }

  #complete(task: SimTask): void {
    task.timers.forEach(clearTimeout);
    task.timers = [];
    this.#advance(task, 'completed');
    this.#counts.completed += 1;

    const { serialNumber } = task.command;
    this.#running.set(serialNumber, (this.#running.get(serialNumber) ?? 1) - 1);
    const next = this.#waiting.get(serialNumber)?.shift();
    if (next) this.#admit(next);
  }

  #advance(task: SimTask, state: TaskStateName): void {
    task.state = state;
    task.seq += 1;
    this.#sendState(task);
  }

  #sendState(task: SimTask): void {
    const { taskId, batchId, meetingId, serialNumber } = task.command;
    const message: TaskState = {
      taskId,
      batchId,
      meetingId,
      serialNumber,
      state: task.state,
      seq: task.seq,
      at: Date.now(),
      ...(task.state === 'completed' && {
        packageSize: PACKAGE_BYTES,
        fileCount: 1,
        skippedFiles: 0,
      }),
    };
    void this.#publish(topics.taskState(this.#spec.agentId, taskId), message, false);
  }

  #sendProgress(task: SimTask): void {
    if (task.state !== 'running' || !this.#client.connected) return;
    const at = Date.now();
    const progress: TaskProgress = {
      taskId: task.command.taskId,
      serialNumber: task.command.serialNumber,
      copiedBytes: PACKAGE_BYTES / 2,
      totalBytes: PACKAGE_BYTES,
      percent: 50,
      speed: 1024,
      eta: 1,
      currentFile: `sent-at/${at}`,
      filesDone: 0,
      fileCount: 1,
      at,
    };
    this.#counts.progress += 1;
    this.#client.publish(topics.taskProgress(this.#spec.agentId, task.command.taskId), JSON.stringify(progress), {
      qos: 0,
    });
  }

  #publish(topic: string, message: object, retain: boolean): Promise<unknown> {
    return this.#client.publishAsync(topic, JSON.stringify(message), { qos: 1, retain }).catch(() => undefined);
  }
}
