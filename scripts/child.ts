import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the first JSON log line whose `msg` is `msg`; rejects if the child exits. */
  ready(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): void;
}

/**
 * Runs `node --import tsx <entry>` (`entry` relative to the repository, the working directory
 * inherited) and passes its output through line by line, unchanged, so the pino JSON lines of
 * both processes stay whole and machine-readable.
 */
export function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): Child {
  // Its own process group: a terminal Ctrl-C reaches only us, and we forward it exactly once.
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(REPO_ROOT, entry)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const waiters = new Map<string, (record: Record<string, unknown>) => void>();

  createInterface({ input: child.stdout! }).on('line', (line) => {
    process.stdout.write(line + '\n');
    const parsed = waiters.size > 0 ? messageOf(line) : undefined;
    const waiter = parsed && waiters.get(parsed.msg);
    if (parsed && waiter) {
      waiters.delete(parsed.msg);
      waiter(parsed.record);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(line + '\n'));

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      process.stderr.write(`${name}: ${error.message}\n`);
      resolve({ code: 1, signal: null });
    });
  });

  return {
    name,
    process: child,
    exited,
    ready: (msg) =>
      new Promise((resolve, reject) => {
        waiters.set(msg, resolve);
        void exited.then(({ code, signal }) =>
          reject(new Error(`${name} exited (code ${code}, signal ${signal}) before "${msg}"`)),
        );
      }),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function messageOf(line: string): { msg: string; record: Record<string, unknown> } | undefined {
  try {
    const record: unknown = JSON.parse(line);
    if (typeof record !== 'object' || record === null) return undefined;
    const msg = (record as { msg?: unknown }).msg;
    return typeof msg === 'string' ? { msg, record: record as Record<string, unknown> } : undefined;
  } catch {
    return undefined;
  }
}
