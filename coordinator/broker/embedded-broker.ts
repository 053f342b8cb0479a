import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
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
  /** Closes the connections of these agents now (revoked credentials). */
  disconnectAgents(agentIds: readonly string[]): number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host: string;
  port: number;
  secrets: BrokerSecrets;
  /** PEM certificate and key: the broker then speaks MQTT over TLS (mqtts). */
  tls?: { cert: Buffer; key: Buffer };
  onRefused?: (what: 'connect' | 'publish' | 'subscribe', clientId: string, detail: string) => void;
}

/** Error code 4 in CONNACK: bad user name or password. */
const BAD_CREDENTIALS = 4;

/**
 * The embedded aedes broker for a one-machine site. It authenticates every client and keeps each
 * agent in its own topic lane; the coordinator connects to it like any other MQTT client.
 */
export async function startEmbeddedBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const identities = new WeakMap<Client, BrokerIdentity>();
  const agents = new Map<string, Client>();
  const refusedOnce = new Set<string>();
  const refused = (what: 'connect' | 'publish' | 'subscribe', clientId: string, detail: string) => {
    // A client that retries the same refused request is logged once, not once per attempt.
    const key = `${what}\n${clientId}\n${detail}`;
    if (refusedOnce.has(key)) return;
    if (refusedOnce.size > 10_000) refusedOnce.clear();
    refusedOnce.add(key);
    options.onRefused?.(what, clientId, detail);
  };

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const result = identify(client.id, username, password?.toString(), options.secrets);
      if (result.ok) {
        identities.set(client, result.identity);
        if (result.identity.role === 'agent') agents.set(result.identity.agentId, client);
        return done(null, true);
      }
      refused('connect', client.id, `${JSON.stringify(username ?? '')}: ${result.reason}`);
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
  broker.on('clientDisconnect', (client) => {
    const identity = identities.get(client);
    if (identity?.role === 'agent' && agents.get(identity.agentId) === client) {
      agents.delete(identity.agentId);
    }
  });

  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, broker.handle)
    : createTcpServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });

  return {
    port: (server.address() as { port: number }).port,
    disconnectAgents: (agentIds) => {
      let closed = 0;
      for (const agentId of agentIds) {
        const client = agents.get(agentId);
        if (!client) continue;
        client.close();
        agents.delete(agentId);
        closed += 1;
      }
      return closed;
    },
    close: () => closeAll(server, broker),
  };
}

async function closeAll(server: Server, broker: Aedes): Promise<void> {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
