import { parseArgs } from 'node:util';

export interface CoordinatorConfig {
  httpHost: string;
  httpPort: number;
  mqttHost: string;
  mqttPort: number;
  /** An external broker; when set, no broker is started. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  dataDir: string;
  meetingsDir: string;
  /** When unset, one is generated into the data dir on first start. */
  agentToken?: string;
  apiToken?: string;
  maxBatchSize: number;
  deviceSettleMs: number;
  /** How long an agent with unfinished subtasks may stay away before they fail with 1005. */
  agentLostTimeoutMs: number;
  /** An online agent not heard from for this long counts as offline (missed heartbeats). */
  agentHeartbeatTimeoutMs: number;
  sseKeepAliveMs: number;
  storeCoalesceMs: number;
  /** Subtasks created, persisted and dispatched together. */
  createChunkSize: number;
  autoRetry: { attempts: number; backoffMs: number; waitMs: number };
  /** Whether agents not listed in the credentials file may use the shared agent token. */
  allowSharedAgentToken: boolean;
  /** A read-only MQTT account for diagnostics tools. */
  diagnostics?: { username: string; password: string };
  /** The embedded broker speaks MQTT over TLS with this certificate and key. */
  mqttTls?: { certFile: string; keyFile: string };
  /** Browser origins allowed to call the API (CORS). */
  corsOrigins: string[];
}

type Env = Record<string, string | undefined>;

/** Every setting the coordinator reads; a config file may hold only these. */
export const COORDINATOR_KEYS = [
  'WST_AGENT_HEARTBEAT_TIMEOUT_MS',
  'WST_AGENT_LOST_TIMEOUT_MS',
  'WST_AGENT_TOKEN',
  'WST_ALLOW_SHARED_AGENT_TOKEN',
  'WST_API_TOKEN',
  'WST_AUTO_RETRY_ATTEMPTS',
  'WST_AUTO_RETRY_BACKOFF_MS',
  'WST_AUTO_RETRY_WAIT_MS',
  'WST_CORS_ORIGINS',
  'WST_CREATE_CHUNK_SIZE',
  'WST_DATA_DIR',
  'WST_DEVICE_SETTLE_MS',
  'WST_DIAG_PASSWORD',
  'WST_DIAG_USERNAME',
  'WST_HTTP_HOST',
  'WST_HTTP_PORT',
  'WST_LOG_LEVEL',
  'WST_MAX_BATCH_SIZE',
  'WST_MEETINGS_DIR',
  'WST_MQTT_HOST',
  'WST_MQTT_PASSWORD',
  'WST_MQTT_PORT',
  'WST_MQTT_TLS_CERT',
  'WST_MQTT_TLS_KEY',
  'WST_MQTT_URL',
  'WST_MQTT_USERNAME',
  'WST_SSE_KEEPALIVE_MS',
  'WST_STORE_COALESCE_MS',
] as const;

export class ConfigError extends Error {}

/** Flags mirror the variables: `--http-port 0` is `WST_HTTP_PORT=0`. Flags win. */
const FLAGS = {
  'http-host': 'WST_HTTP_HOST',
  'http-port': 'WST_HTTP_PORT',
  'mqtt-host': 'WST_MQTT_HOST',
  'mqtt-port': 'WST_MQTT_PORT',
  'mqtt-url': 'WST_MQTT_URL',
  'data-dir': 'WST_DATA_DIR',
  'meetings-dir': 'WST_MEETINGS_DIR',
} as const;

export function loadCoordinatorConfig(env: Env, argv: string[] = []): CoordinatorConfig {
  const merged = mergeFlags(env, argv);
  const text = (name: string) => (merged[name] === '' ? undefined : merged[name]);
  const int = (name: string, fallback: number, min: number, max: number) =>
    readInt(name, text(name), fallback, min, max);

  return {
    httpHost: text('WST_HTTP_HOST') ?? '127.0.0.1',
    httpPort: int('WST_HTTP_PORT', 8080, 0, 65535),
    mqttHost: text('WST_MQTT_HOST') ?? '127.0.0.1',
    mqttPort: int('WST_MQTT_PORT', 1883, 0, 65535),
    mqttUrl: text('WST_MQTT_URL'),
    mqttUsername: text('WST_MQTT_USERNAME'),
    mqttPassword: text('WST_MQTT_PASSWORD'),
    dataDir: text('WST_DATA_DIR') ?? './var/coordinator',
    meetingsDir: text('WST_MEETINGS_DIR') ?? './var/meetings',
    agentToken: text('WST_AGENT_TOKEN'),
    apiToken: text('WST_API_TOKEN'),
    maxBatchSize: int('WST_MAX_BATCH_SIZE', 10_000, 1, 1_000_000),
    deviceSettleMs: int('WST_DEVICE_SETTLE_MS', 3000, 0, 600_000),
    agentLostTimeoutMs: int('WST_AGENT_LOST_TIMEOUT_MS', 300_000, 100, 86_400_000),
    agentHeartbeatTimeoutMs: int('WST_AGENT_HEARTBEAT_TIMEOUT_MS', 60_000, 1000, 86_400_000),
    sseKeepAliveMs: int('WST_SSE_KEEPALIVE_MS', 15_000, 100, 600_000),
    storeCoalesceMs: int('WST_STORE_COALESCE_MS', 100, 0, 60_000),
    createChunkSize: int('WST_CREATE_CHUNK_SIZE', 500, 1, 100_000),
    autoRetry: {
      attempts: int('WST_AUTO_RETRY_ATTEMPTS', 2, 0, 100),
      backoffMs: int('WST_AUTO_RETRY_BACKOFF_MS', 5000, 0, 3_600_000),
      waitMs: int('WST_AUTO_RETRY_WAIT_MS', 600_000, 0, 86_400_000),
    },
    allowSharedAgentToken: bool('WST_ALLOW_SHARED_AGENT_TOKEN', text('WST_ALLOW_SHARED_AGENT_TOKEN'), true),
    diagnostics: pair(
      ['WST_DIAG_USERNAME', text('WST_DIAG_USERNAME')],
      ['WST_DIAG_PASSWORD', text('WST_DIAG_PASSWORD')],
      (username, password) => ({ username, password }),
    ),
    mqttTls: pair(
      ['WST_MQTT_TLS_CERT', text('WST_MQTT_TLS_CERT')],
      ['WST_MQTT_TLS_KEY', text('WST_MQTT_TLS_KEY')],
      (certFile, keyFile) => ({ certFile, keyFile }),
    ),
    corsOrigins: origins(text('WST_CORS_ORIGINS')),
  };
}

function mergeFlags(env: Env, argv: string[]): Env {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const merged: Env = { ...env };
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') merged[name] = value;
  }
  return merged;
}

function bool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Two settings that only make sense together: both or neither. */
function pair<T>(
  [nameA, a]: [string, string | undefined],
  [nameB, b]: [string, string | undefined],
  make: (a: string, b: string) => T,
): T | undefined {
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined || b === undefined) {
    throw new ConfigError(`${nameA} and ${nameB} must be set together`);
  }
  return make(a, b);
}

function origins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const list = raw.split(',').map((o) => o.trim()).filter(Boolean);
  return list.map((origin) => {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ConfigError(`WST_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://host:port`);
    }
    // As a browser sends it: a default port (https :443) is left out.
    return new URL(origin).origin;
  });
}

export function readInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
