import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ID_PATTERN } from '../shared/ids.js';

export interface AgentConfig {
  mqttUrl: string;
  dataDir: string;
  token: string;
  coordinatorUrl: string;
  agentId: string;
  mountRoot: string;
  progressIntervalMs: number;
  /** Bytes per second per copy; 0 = unlimited. */
  copyBwlimit: number;
  /** How long a task whose device went away waits for the same serial number to return. */
  deviceGraceMs: number;
  /** Copies running at once on this host, across all devices (they share the USB bus). */
  maxParallelCopies: number;
  /** How often the agent re-publishes its status, so a coordinator can tell it is alive. */
  heartbeatMs: number;
  /** PEM file of the CA that signed an mqtts broker's certificate. */
  mqttCaFile?: string;
  /** Local health and metrics endpoint; unset when turned off. `0` picks a free port. */
  health?: { host: string; port: number };
}

/** A bad setting; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const flags = {
  'mqtt-url': 'WST_MQTT_URL',
  'data-dir': 'WST_DATA_DIR',
  'coordinator-url': 'WST_COORDINATOR_URL',
  'agent-id': 'WST_AGENT_ID',
  'mount-root': 'WST_MOUNT_ROOT',
  'progress-interval-ms': 'WST_PROGRESS_INTERVAL_MS',
  'copy-bwlimit': 'WST_COPY_BWLIMIT',
  'device-grace-ms': 'WST_DEVICE_GRACE_MS',
  'max-parallel-copies': 'WST_MAX_PARALLEL_COPIES',
  'heartbeat-ms': 'WST_HEARTBEAT_MS',
  'mqtt-ca': 'WST_MQTT_CA',
  'health-host': 'WST_HEALTH_HOST',
  'health-port': 'WST_HEALTH_PORT',
} as const;

/** Every setting the agent reads; a config file may hold only these. */
export const AGENT_KEYS = [...Object.values(flags), 'WST_AGENT_TOKEN', 'WST_LOG_LEVEL'];

/**
 * Reads the agent's settings from the environment; command-line flags named after the variables
 * (`--mount-root` for `WST_MOUNT_ROOT`) take precedence. The token is read from the environment
 * only, so it never shows in a process list.
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  argv: string[] = [],
  hostname = os.hostname(),
): AgentConfig {
  const options: Record<string, { type: 'string' }> = {};
  for (const flag of Object.keys(flags)) options[flag] = { type: 'string' };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const merged = { ...env };
  for (const [flag, name] of Object.entries(flags)) {
    if (typeof values[flag] === 'string') merged[name] = values[flag];
  }
  const read = (name: string, fallback: string) => merged[name]?.trim() || fallback;

  const token = merged.WST_AGENT_TOKEN?.trim();
  if (!token) throw new ConfigError('WST_AGENT_TOKEN is required (the agent token)');

  return {
    mqttUrl: url('WST_MQTT_URL', read('WST_MQTT_URL', 'mqtt://127.0.0.1:1883'), MQTT_PROTOCOLS),
    dataDir: path.resolve(read('WST_DATA_DIR', './var/agent')),
    token,
    coordinatorUrl: url(
      'WST_COORDINATOR_URL',
      read('WST_COORDINATOR_URL', 'http://127.0.0.1:8080'),
      ['http:', 'https:'],
    ),
    agentId: agentId(read('WST_AGENT_ID', hostname)),
    mountRoot: path.resolve(read('WST_MOUNT_ROOT', './var/mounts')),
    progressIntervalMs: integer(
      'WST_PROGRESS_INTERVAL_MS',
      read('WST_PROGRESS_INTERVAL_MS', '200'),
    ),
    copyBwlimit: byteRate('WST_COPY_BWLIMIT', read('WST_COPY_BWLIMIT', '0')),
    deviceGraceMs: integer('WST_DEVICE_GRACE_MS', read('WST_DEVICE_GRACE_MS', '60000')),
    maxParallelCopies: positive('WST_MAX_PARALLEL_COPIES', read('WST_MAX_PARALLEL_COPIES', '2')),
    heartbeatMs: positive('WST_HEARTBEAT_MS', read('WST_HEARTBEAT_MS', '15000')),
    ...(merged.WST_MQTT_CA?.trim() && { mqttCaFile: path.resolve(merged.WST_MQTT_CA.trim()) }),
    ...health(read('WST_HEALTH_HOST', '127.0.0.1'), read('WST_HEALTH_PORT', '9101')),
  };
}

const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

function url(name: string, value: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' ')}, got ${parsed.protocol}`);
  }
  return value;
}

function agentId(value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new ConfigError(`WST_AGENT_ID ${JSON.stringify(value)} must match ${ID_PATTERN}`);
  }
  return value;
}

function integer(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got ${value}`);
  return Number(value);
}

function health(host: string, port: string): { health?: { host: string; port: number } } {
  if (port === 'off') return {};
  const number = integer('WST_HEALTH_PORT', port);
  if (number > 65535) throw new ConfigError(`WST_HEALTH_PORT must be a port or off, got ${port}`);
  return { health: { host, port: number } };
}

function positive(name: string, value: string): number {
  const number = integer(name, value);
  if (number < 1) throw new ConfigError(`${name} must be at least 1, got ${value}`);
  return number;
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `500000`, `512k`, `2M`: bytes per second, binary units. */
export function byteRate(name: string, value: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(value);
  if (!match) throw new ConfigError(`${name} must be bytes per second (e.g. 500k), got ${value}`);
  return Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
}
