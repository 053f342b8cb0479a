import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type MqttClient } from 'mqtt';
import {
  Command,
  parseMessage,
  type AgentStatus,
  type DevicePresence,
  type TaskProgress,
  type TaskState,
} from '../../shared/messages.js';
import { topics } from '../../shared/topics.js';

export interface AgentLinkOptions {
  url: string;
  agentId: string;
  token: string;
  version: string;
  reconnectPeriodMs?: number;
  /** PEM CA for an mqtts broker with a private certificate. */
  caFile?: string;
}

interface AgentLinkEvents {
  /** Connected (again), subscribed to commands: time to re-tell status, devices and tasks. */
  connect: [{ sessionPresent: boolean }];
  command: [Command];
  invalidCommand: [{ topic: string; error: string }];
  offline: [];
  error: [Error];
}

/**
 * The agent's MQTT connection: a persistent session under `wst-agent-<agentId>`, a retained
 * offline will, commands in, status, presence and task messages out.
 */
export class AgentLink extends EventEmitter<AgentLinkEvents> {
  readonly #options: AgentLinkOptions;
  readonly #client: MqttClient;
  /** New for every connection; its will carries it, so a late will of an old one is told apart. */
  #session = randomUUID();

  constructor(options: AgentLinkOptions) {
    super();
    this.#options = options;
    const { agentId } = options;
    this.#client = connect(options.url, {
      clientId: `wst-agent-${agentId}`,
      clean: false,
      username: agentId,
      password: options.token,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      resubscribe: false,
      queueQoSZero: false,
      will: this.#will(),
      manualConnect: true,
      ...(options.caFile && { ca: readFileSync(options.caFile) }),
    });
    this.#client.on('connect', (connack) => void this.#onConnect(connack.sessionPresent));
    this.#client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    this.#client.on('offline', () => this.emit('offline'));
    this.#client.on('error', (error) => this.emit('error', error));
    // Each connection is a new session with its own will.
    this.#client.on('reconnect', () => {
      this.#session = randomUUID();
      this.#client.options.will = this.#will();
    });
  }

  start(): void {
    this.#client.connect();
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  publishStatus(online: boolean, devices: string[]): void {
    const status: AgentStatus = {
      agentId: this.#options.agentId,
      online,
      version: this.#options.version,
      devices,
      at: Date.now(),
      session: this.#session,
    };
    this.#publish(topics.agentStatus(this.#options.agentId), status, 1, true);
  }

  /** Removes a device's retained presence: it is gone for good. */
  clearPresence(serialNumber: string): void {
    const topic = topics.device(this.#options.agentId, serialNumber);
    this.#client.publish(topic, '', { qos: 1, retain: true }, (error) => {
      if (error) this.emit('error', error);
    });
  }

  publishPresence(presence: DevicePresence): void {
    this.#publish(topics.device(this.#options.agentId, presence.serialNumber), presence, 1, true);
  }

  publishTaskState(state: TaskState): void {
    this.#publish(topics.taskState(this.#options.agentId, state.taskId), state, 1, false);
  }

  /** QoS 0 and dropped while disconnected: a newer update follows soon. */
  publishProgress(progress: TaskProgress): void {
    if (!this.connected) return;
    this.#publish(topics.taskProgress(this.#options.agentId, progress.taskId), progress, 0, false);
  }

  /** Says goodbye (retained offline status) when connected, then disconnects. */
  async close(timeoutMs = 1500): Promise<void> {
    if (this.connected) {
      const payload = JSON.stringify(this.#offlineStatus());
      const topic = topics.agentStatus(this.#options.agentId);
      await within(this.#client.publishAsync(topic, payload, { qos: 1, retain: true }), timeoutMs);
    }
    if (!(await within(this.#client.endAsync(), timeoutMs))) this.#client.end(true);
  }

  async #onConnect(sessionPresent: boolean): Promise<void> {
    try {
      // Subscribed on every connect: a broker that lost the session lost the subscription too.
      await this.#client.subscribeAsync(topics.commands(this.#options.agentId), { qos: 1 });
      this.emit('connect', { sessionPresent });
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  #onMessage(topic: string, payload: Buffer): void {
    if (topic !== topics.commands(this.#options.agentId)) return;
    const parsed = parseMessage(Command, payload);
    try {
      if (parsed.ok) this.emit('command', parsed.value);
      else this.emit('invalidCommand', { topic, error: parsed.error });
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  #publish(topic: string, message: object, qos: 0 | 1, retain: boolean): void {
    this.#client.publish(topic, JSON.stringify(message), { qos, retain }, (error) => {
      if (error) this.emit('error', error);
    });
  }

  #offlineStatus(): AgentStatus {
    const { agentId, version } = this.#options;
    return { agentId, online: false, version, devices: [], at: Date.now(), session: this.#session };
  }

  #will() {
    return {
      topic: topics.agentStatus(this.#options.agentId),
      payload: Buffer.from(JSON.stringify(this.#offlineStatus())),
      qos: 1 as const,
      retain: true,
    };
  }
}

/** Waits for `promise` at most `ms`; true when it settled in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
