import { readFile } from 'node:fs/promises';
import type { Logger } from '../../shared/logger.js';
import type { AgentCredentials } from '../agents/agent-credentials.js';
import type { CoordinatorConfig } from '../config.js';
import { newInternalSecret } from '../secrets.js';
import { COORDINATOR_USERNAME } from './broker-access.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';

export interface BrokerConnection {
  url: string;
  username: string;
  password: string;
  /** Trust for the coordinator's own TLS connection to its embedded broker. */
  tls?: { ca: Buffer; loopback: true };
  /** Unset with an external broker. */
  embedded?: EmbeddedBroker;
}

/** A wildcard bind address is reached through loopback from this host. */
export const reachable = (host: string) =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

/**
 * Starts the embedded broker, or, with `WST_MQTT_URL`, only says how to reach the external one.
 */
export async function startBroker(
  config: CoordinatorConfig,
  agentToken: string,
  credentials: AgentCredentials,
  log: Logger,
): Promise<BrokerConnection> {
  if (config.mqttUrl) {
    return {
      url: config.mqttUrl,
      username: config.mqttUsername ?? COORDINATOR_USERNAME,
      password: config.mqttPassword ?? '',
    };
  }

  const tls = config.mqttTls && {
    cert: await readFile(config.mqttTls.certFile),
    key: await readFile(config.mqttTls.keyFile),
  };
  const coordinatorSecret = newInternalSecret();
  const embedded = await startEmbeddedBroker({
    host: config.mqttHost,
    port: config.mqttPort,
    tls,
    secrets: {
      agentToken: config.allowSharedAgentToken ? agentToken : undefined,
      coordinatorSecret,
      credentials,
      diagnostics: config.diagnostics,
    },
    onRefused: (what, clientId, detail) =>
      log.warn({ clientId, what, detail }, 'broker refused a client request'),
  });
  const scheme = tls ? 'mqtts' : 'mqtt';
  return {
    url: `${scheme}://${reachable(config.mqttHost)}:${embedded.port}`,
    username: COORDINATOR_USERNAME,
    password: coordinatorSecret,
    ...(tls && { tls: { ca: tls.cert, loopback: true as const } }),
    embedded,
  };
}
