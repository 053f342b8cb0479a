import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { READY_MESSAGES } from '../../shared/agent-api.js';
import {
  spawnProcess,
  type ExitInfo,
  type LogPredicate,
  type ManagedProcess,
} from './processes.js';
import { tempDir } from './temp-dir.js';

export { tempDir, removeTempDirs } from './temp-dir.js';

type Env = Record<string, string | undefined>;

/** Variables a developer's shell may carry that would change what the child does. */
const CLEARED_ENV: Env = {
  WST_HTTP_HOST: undefined,
  WST_HTTP_PORT: undefined,
  WST_MQTT_PORT: undefined,
  WST_MQTT_URL: undefined,
  WST_API_TOKEN: undefined,
  WST_COORDINATOR_URL: undefined,
  WST_AGENT_ID: undefined,
  WST_COPY_BWLIMIT: undefined,
  WST_PROGRESS_INTERVAL_MS: undefined,
  WST_DEVICE_GRACE_MS: undefined,
};

export interface CoordinatorOptions {
  dataDir?: string;
  meetingsDir?: string;
  /** Agent token; a random one by default. */
  token?: string;
  /** 0 (default) picks a free port; `restart()` reuses the ports of the run before. */
  httpPort?: number;
  mqttPort?: number;
  env?: Env;
  /** Defaults to `coordinator/main.ts`. */
  entry?: string;
  readyTimeoutMs?: number;
}

export interface Coordinator {
  httpUrl: string;
  mqttUrl: string;
  token: string;
  dataDir: string;
  meetingsDir: string;
  /** The `coordinator ready` log line. */
  ready: Record<string, unknown>;
  proc: ManagedProcess;
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Stops (SIGTERM unless told) and starts again on the same dirs, token and ports. */
  restart(options?: { signal?: NodeJS.Signals; env?: Env }): Promise<Coordinator>;
}

export async function startCoordinator(options: CoordinatorOptions = {}): Promise<Coordinator> {
  const dataDir = options.dataDir ?? (await tempDir('wst-coordinator-'));
  const meetingsDir = options.meetingsDir ?? (await tempDir('wst-meetings-'));
  const token = options.token ?? randomBytes(24).toString('hex');

  const proc = spawnProcess({
    name: 'coordinator',
    entry: options.entry ?? 'coordinator/main.ts',
    env: {
      ...CLEARED_ENV,
      WST_HTTP_HOST: '127.0.0.1',
      WST_HTTP_PORT: String(options.httpPort ?? 0),
      WST_MQTT_PORT: String(options.mqttPort ?? 0),
      WST_DATA_DIR: dataDir,
      WST_MEETINGS_DIR: meetingsDir,
      WST_AGENT_TOKEN: token,
      ...options.env,
    },
  });
  const ready = await untilReady(
    proc,
    (line) => line.json?.msg === READY_MESSAGES.coordinator,
    options.readyTimeoutMs,
  );
  const httpUrl = stringField(ready, 'httpUrl', proc);
  const mqttUrl = stringField(ready, 'mqttUrl', proc);

  const coordinator: Coordinator = {
    httpUrl,
    mqttUrl,
    token,
    dataDir,
    meetingsDir,
    ready,
    proc,
    stop: (signal) => proc.kill(signal),
    restart: async ({ signal, env } = {}) => {
      await proc.kill(signal);
      const ports = { httpPort: portOf(httpUrl), mqttPort: portOf(mqttUrl) };
      return startCoordinator({
        ...options,
        ...ports,
        dataDir,
        meetingsDir,
        token,
        env: env ?? options.env,
      });
    },
  };
  return coordinator;
}

export interface AgentOptions {
  mqttUrl: string;
  httpUrl: string;
  token: string;
  agentId: string;
  mountRoot?: string;
  dataDir?: string;
  /** Bytes per second; 0 (default) is unlimited. */
  bwLimit?: number;
  progressIntervalMs?: number;
  env?: Env;
  /** Defaults to `agent/main.ts`. */
  entry?: string;
  readyTimeoutMs?: number;
}

export interface Agent {
  agentId: string;
  mountRoot: string;
  dataDir: string;
  ready: Record<string, unknown>;
  proc: ManagedProcess;
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Stops (SIGTERM unless told) and starts again with the same id, dirs and settings. */
  restart(options?: { signal?: NodeJS.Signals; env?: Env }): Promise<Agent>;
}

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const mountRoot = options.mountRoot ?? (await tempDir('wst-mounts-'));
  const dataDir = options.dataDir ?? (await tempDir('wst-agent-'));
  await mkdir(mountRoot, { recursive: true });

  const proc = spawnProcess({
    name: `agent:${options.agentId}`,
    entry: options.entry ?? 'agent/main.ts',
    env: {
      ...CLEARED_ENV,
      WST_MQTT_URL: options.mqttUrl,
      WST_COORDINATOR_URL: options.httpUrl,
      WST_AGENT_TOKEN: options.token,
      WST_AGENT_ID: options.agentId,
      WST_MOUNT_ROOT: mountRoot,
      WST_DATA_DIR: dataDir,
      WST_COPY_BWLIMIT: String(options.bwLimit ?? 0),
      WST_HEALTH_PORT: '0',
      WST_PROGRESS_INTERVAL_MS: options.progressIntervalMs?.toString(),
      ...options.env,
    },
  });
  const ready = await untilReady(
    proc,
    (line) => line.json?.msg === READY_MESSAGES.agent && line.json.agentId === options.agentId,
    options.readyTimeoutMs,
  );

  return {
    agentId: options.agentId,
    mountRoot,
    dataDir,
    ready,
    proc,
    stop: (signal) => proc.kill(signal),
    restart: async ({ signal, env } = {}) => {
      await proc.kill(signal);
      return startAgent({ ...options, mountRoot, dataDir, env: env ?? options.env });
    },
  };
}

/** An agent connected to `coordinator` with its URLs and token; the rest as `startAgent`. */
export function startAgentFor(
  coordinator: Pick<Coordinator, 'mqttUrl' | 'httpUrl' | 'token'>,
  options: Omit<AgentOptions, 'mqttUrl' | 'httpUrl' | 'token'> & { token?: string },
): Promise<Agent> {
  return startAgent({
    mqttUrl: coordinator.mqttUrl,
    httpUrl: coordinator.httpUrl,
    token: coordinator.token,
    ...options,
  });
}

/** Waits for the ready line; a process that never gets there is killed at once. */
async function untilReady(
  proc: ManagedProcess,
  predicate: LogPredicate,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  try {
    const line = await proc.waitForLog(predicate, timeoutMs);
    return line.json ?? {};
  } catch (error) {
    await proc.kill('SIGKILL');
    throw error;
  }
}

function stringField(record: Record<string, unknown>, key: string, proc: ManagedProcess): string {
  const value = record[key];
  if (typeof value !== 'string') {
    throw new Error(`${proc.name}: ready line has no string "${key}"\n${proc.formatLogs()}`);
  }
  return value;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}
