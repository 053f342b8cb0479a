import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import {
  identify,
  mayPublish,
  maySubscribe,
  type BrokerIdentity,
  type BrokerSecrets,
} from './broker-access.js';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

export interface BrokerEvents {
  onRefused?: (what: 'connect' | 'publish' | 'subscribe', clientId: string, detail: string) => void;
}

/** Error code 4 in CONNACK: bad user name or password. */
const BAD_CREDENTIALS = 4;

/**
 * The embedded aedes broker for a one-machine site. It authenticates every client and keeps each
 * agent in its own topic lane; the coordinator connects to it like any other MQTT client.
 */
export async function startEmbeddedBroker(
  host: string,
  port: number,
  secrets: BrokerSecrets,
  events: BrokerEvents = {},
): Promise<EmbeddedBroker> {
  const identities = new WeakMap<Client, BrokerIdentity>();
  const refused = events.onRefused ?? (() => undefined);

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const identity = identify(client.id, username, password?.toString(), secrets);
      if (identity) {
        identities.set(client, identity);
        return done(null, true);
      }
      refused('connect', client.id, `username ${JSON.stringify(username ?? '')}`);
      const error = new Error('bad user name or password') as AuthenticateError;
      error.returnCode = BAD_CREDENTIALS;
      done(error, false);
    },
    authorizePublish(client, packet, done) {
      const identity = client ? identities.get(client) : undefined;
      if (!client || (identity && mayPublish(identity, packet.topic))) return done(null);
      refused('publish', client.id, packet.topic);
      done(new Error(`publish to ${packet.topic} not allowed`));
    },
    authorizeSubscribe(client, subscription, done) {
      const identity = identities.get(client);
      if (identity && maySubscribe(identity, subscription.topic)) return done(null, subscription);
      refused('subscribe', client.id, subscription.topic);
      // A null subscription answers with a failure code and keeps the client connected.
      done(null, null);
    },
  });

  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

  return {
    port: (server.address() as { port: number }).port,
    close: () => closeAll(server, broker),
  };
}

async function closeAll(server: Server, broker: Aedes): Promise<void> {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
