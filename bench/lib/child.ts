import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const live = new Set<ChildProcess>();

/**
 * A TypeScript child of the bench with an IPC channel, e.g. the simulated agent fleet. `ask`
 * sends a request and resolves with the next reply of the wanted type.
 */
export class BenchChild<Request, Reply extends { type: string }> {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  constructor(entry: string, env: Record<string, string> = {}) {
    this.#child = fork(path.join(BENCH_DIR, entry), [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(this.#child);
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    void this.#exited.then(() => live.delete(this.#child));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  ask<T extends Reply['type']>(
    request: Request,
    want: T,
    timeoutMs = 120_000,
  ): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no "${want}" reply in ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: Reply) => {
        if (message.type === 'error') done(new Error(`child: ${JSON.stringify(message)}`));
        else if (message.type === want) done(undefined, message as Extract<Reply, { type: T }>);
      };
      const onExit = () => done(new Error(`child exited before replying "${want}"`));
      const done = (error?: Error, reply?: Extract<Reply, { type: T }>) => {
        clearTimeout(timer);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        if (error) reject(error);
        else resolve(reply!);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(request as object);
    });
  }

  /** Waits up to `graceMs` for the child to leave by itself, then kills it. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

// Last resort when the bench exits without cleaning up.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
