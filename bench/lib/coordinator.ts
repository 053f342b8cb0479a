import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { READY_MESSAGES } from '../../shared/agent-api.js';
import { spawnProcess, type ManagedProcess } from '../../test/helpers/processes.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { sleep } from './stats.js';

export const PROFILE_HOOK = pathToFileURL(fileURLToPath(new URL('./cpu-profile-hook.mjs', import.meta.url))).href;

export interface BenchCoordinator {
  httpUrl: string;
  mqttUrl: string;
  token: string;
  dataDir: string;
  meetingsDir: string;
  /** The coordinator's own node process (spawned directly, not through the tsx CLI). */
  pid: number;
  proc: ManagedProcess;
  /** Spawn to ready, in milliseconds. */
  startMs: number;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  dataDir?: string;
  meetingsDir?: string;
  /**
   * `warn` (default) keeps logs small. At `warn` the `coordinator ready` line is not printed,
   * so readiness is then the HTTP port answering (it opens just before that line is logged).
   */
  logLevel?: 'warn' | 'info';
  env?: Record<string, string>;
}

/** Starts `coordinator/main.ts` on free loopback ports with the bench's settings. */
export async function launchCoordinator(options: LaunchOptions = {}): Promise<BenchCoordinator> {
  const dataDir = options.dataDir ?? (await tempDir('wst-bench-data-'));
  const meetingsDir = options.meetingsDir ?? (await tempDir('wst-bench-meetings-'));
  const token = randomBytes(24).toString('hex');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const logLevel = options.logLevel ?? 'warn';

  const proc = spawnProcess({
    name: 'coordinator',
    entry: 'coordinator/main.ts',
    env: {
      WST_HTTP_HOST: '127.0.0.1',
      WST_HTTP_PORT: String(httpPort),
      WST_MQTT_HOST: '127.0.0.1',
      WST_MQTT_PORT: String(mqttPort),
      WST_MQTT_URL: undefined,
      WST_API_TOKEN: undefined,
      WST_DATA_DIR: dataDir,
      WST_MEETINGS_DIR: meetingsDir,
      WST_AGENT_TOKEN: token,
      WST_DEVICE_SETTLE_MS: '0',
      WST_LOG_LEVEL: logLevel,
      ...(nodeOptions() && { NODE_OPTIONS: nodeOptions() }),
      ...options.env,
    },
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    if (logLevel === 'info') await proc.waitForMessage(READY_MESSAGES.coordinator, 30_000);
    else await untilListening(proc, httpUrl, 30_000);
  } catch (error) {
    await proc.kill('SIGKILL');
    throw error;
  }
  const readyAt = logLevel === 'info' ? readyLineAt(proc) : Date.now();

  return {
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    token,
    dataDir,
    meetingsDir,
    pid: proc.pid!,
    proc,
    startMs: readyAt - proc.startedAt,
    stop: async () => {
      await proc.kill('SIGTERM', 5_000);
    },
  };
}

/**
 * `BENCH_PROFILE_DIR=/tmp/p` writes a CPU profile of each coordinator there;
 * `BENCH_COORDINATOR_NODE_OPTIONS` adds node options (e.g. a diagnostic `--import`).
 */
export function nodeOptions(): string {
  const profile = process.env.BENCH_PROFILE_DIR ? `--import ${PROFILE_HOOK}` : '';
  return [profile, process.env.BENCH_COORDINATOR_NODE_OPTIONS ?? ''].join(' ').trim();
}

function readyLineAt(proc: ManagedProcess): number {
  return proc.lines.find((line) => line.json?.msg === READY_MESSAGES.coordinator)!.at;
}

async function untilListening(proc: ManagedProcess, httpUrl: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) throw new Error(`coordinator exited before it listened\n${proc.formatLogs()}`);
    const answered = await fetch(`${httpUrl}/api/v1/mount/sync/batch?pageSize=1`).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (answered) return;
    await sleep(20);
  }
  throw new Error(`coordinator did not listen within ${timeoutMs} ms\n${proc.formatLogs()}`);
}

/** A port that was free a moment ago; the coordinator binds it right after. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Memory {
  rssMiB: number;
  /** Peak resident set size since start. */
  hwmMiB: number;
}

/** VmRSS and VmHWM of a process, from /proc. */
export async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

/** Checks that `pid` runs the coordinator itself, not a wrapper around it. */
export async function assertCoordinatorPid(pid: number): Promise<void> {
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  if (!cmdline.includes('coordinator/main.ts')) {
    throw new Error(`pid ${pid} is not the coordinator: ${cmdline}`);
  }
}
