import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { connect, type MqttClient } from 'mqtt';

export interface TestBroker {
  url: string;
  /** Client ids and usernames that connected, in order. */
  logins: { clientId: string; username: string | undefined; password: string | undefined }[];
  /** Cuts a client's connection without a DISCONNECT, as a network failure would. */
  drop(clientId: string): void;
  close(): Promise<void>;
}

/** An in-memory aedes broker on 127.0.0.1 with a free port. */
export async function startBroker(): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const clients = new Map<string, Client>();
  const logins: TestBroker['logins'] = [];
  aedes.authenticate = (client, username, password, done) => {
    logins.push({ clientId: client.id, username, password: password?.toString() });
    done(null, true);
  };
  aedes.on('client', (client) => clients.set(client.id, client));

  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logins,
    drop: (clientId) => clients.get(clientId)?.conn.destroy(),
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SeenMessage {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

/** An MQTT client that records every message under `filter` (JSON bodies). */
export async function observe(
  url: string,
  filter: string,
): Promise<{
  messages: SeenMessage[];
  client: MqttClient;
}> {
  const client = await new Promise<MqttClient>((resolve, reject) => {
    const c = connect(url, {
      clientId: `observer-${process.pid}-${Math.random()}`,
      reconnectPeriod: 0,
    });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
  const messages: SeenMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      body = { raw: payload.toString() };
    }
    messages.push({ topic, body, retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { messages, client };
}
