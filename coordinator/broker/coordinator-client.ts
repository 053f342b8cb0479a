import mqtt, { type MqttClient } from 'mqtt';
import type { Command } from '../../shared/messages.js';
import { coordinatorSubscriptions, topics } from '../../shared/topics.js';
import type { CommandChannel } from '../tasks/command-channel.js';
import { COORDINATOR_CLIENT_ID } from './broker-access.js';

export interface CoordinatorClientOptions {
  url: string;
  username: string;
  password: string;
  /** The embedded broker's own certificate, trusted for this loopback connection only. */
  tls?: { ca: Buffer; loopback: true };
  onMessage: (topic: string, payload: Buffer) => void;
  onConnect?: () => void;
  onError?: (error: Error) => void;
}

/**
 * The coordinator's own connection to the broker, embedded or external. It hears every agent and
 * sends commands with QoS 1.
 */
export class CoordinatorClient implements CommandChannel {
  readonly #client: MqttClient;
  readonly #onError: (error: Error) => void;

  #messagesReceived = 0;

  private constructor(client: MqttClient, onError: (error: Error) => void) {
    this.#client = client;
    this.#onError = onError;
    client.on('message', () => (this.#messagesReceived += 1));
  }

  static async connect(options: CoordinatorClientOptions): Promise<CoordinatorClient> {
    const client = mqtt.connect(options.url, {
      clientId: COORDINATOR_CLIENT_ID,
      username: options.username,
      password: options.password,
      clean: true,
      reconnectPeriod: 1000,
      ...(options.tls && {
        ca: options.tls.ca,
        // Our own listener on loopback: its certificate names the public host, not 127.0.0.1.
        checkServerIdentity: () => undefined,
      }),
    });
    const onError = options.onError ?? (() => undefined);
    client.on('error', onError);
    client.on('message', (topic, payload) => options.onMessage(topic, payload));
    client.on('connect', () => {
      client.subscribe(coordinatorSubscriptions, { qos: 1 }, (error) => error && onError(error));
      options.onConnect?.();
    });

    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return new CoordinatorClient(client, onError);
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Messages received since start, for `wst_mqtt_messages_received_total`. */
  get messagesReceived(): number {
    return this.#messagesReceived;
  }

  sendCommand(agentId: string, command: Command): void {
    this.#client.publish(topics.commands(agentId), JSON.stringify(command), { qos: 1 }, (error) => {
      if (error) this.#onError(error);
    });
  }

  /** Removes a retained message, so MQTT tools stop showing what it said. */
  clearRetained(topic: string): void {
    this.#client.publish(topic, '', { qos: 1, retain: true }, (error) => error && this.#onError(error));
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}
