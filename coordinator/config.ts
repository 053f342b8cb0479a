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
  sseKeepAliveMs: number;
  storeCoalesceMs: number;
  /** Subtasks created, persisted and dispatched together. */
  createChunkSize: number;
  autoRetry: { attempts: number; backoffMs: number; waitMs: number };
}

type Env = Record<string, string | undefined>;

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
    sseKeepAliveMs: int('WST_SSE_KEEPALIVE_MS', 15_000, 100, 600_000),
    storeCoalesceMs: int('WST_STORE_COALESCE_MS', 100, 0, 60_000),
    createChunkSize: int('WST_CREATE_CHUNK_SIZE', 500, 1, 100_000),
    autoRetry: {
      attempts: int('WST_AUTO_RETRY_ATTEMPTS', 2, 0, 100),
      backoffMs: int('WST_AUTO_RETRY_BACKOFF_MS', 5000, 0, 3_600_000),
      waitMs: int('WST_AUTO_RETRY_WAIT_MS', 600_000, 0, 86_400_000),
    },
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
