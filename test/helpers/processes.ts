import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** tsx's loader by absolute URL, so a child started in another directory still finds it. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** One line a process printed; `json` is set when the line parsed as a JSON object. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  json?: Record<string, unknown>;
  at: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Shown in failure output, e.g. `coordinator` or `agent:a1`. */
  name: string;
  /** A TypeScript or JavaScript file, relative to the repository root. */
  entry: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export type LogPredicate = (line: LogLine) => boolean;

const registry = new Set<ManagedProcess>();
const history: ManagedProcess[] = [];

/** A child process run as `node --import tsx <entry>`, with every line it prints kept. */
export class ManagedProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<ExitInfo>;
  readonly startedAt = Date.now();
  exitInfo: ExitInfo | null = null;
  exitedAt: number | null = null;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(readonly options: SpawnOptions) {
    const cwd = options.cwd ?? REPO_ROOT;
    const entry = path.resolve(REPO_ROOT, options.entry);
    this.child = spawn(process.execPath, ['--import', TSX_LOADER, entry, ...(options.args ?? [])], {
      cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      const finish = (info: ExitInfo) => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        this.exitedAt = Date.now();
        registry.delete(this);
        resolve(info);
      };
      // 'close' rather than 'exit': it comes after the last line of output has been read.
      this.child.once('close', (code, signal) => finish({ code, signal }));
      this.child.once('error', (error) => {
        this.record('stderr', `spawn failed: ${error.message}`);
        finish({ code: -1, signal: null });
      });
    });
    this.collect('stdout');
    this.collect('stderr');
    registry.add(this);
    history.push(this);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** JSON objects the process printed (pino lines), in order. */
  get records(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => (line.json ? [line.json] : []));
  }

  /**
   * Resolves with the first line from index `from` on that matches; rejects on timeout or when
   * the process exits first, with the captured output in the error. Pass `proc.lines.length` as
   * `from` to wait for a line still to come.
   */
  waitForLog(predicate: LogPredicate, timeoutMs = 15_000, from = 0): Promise<LogLine> {
    const seen = this.lines.slice(from).find(predicate);
    if (seen) return Promise.resolve(seen);

    return new Promise((resolve, reject) => {
      const done = (error?: Error, line?: LogLine) => {
        clearTimeout(timer);
        this.listeners.delete(onLine);
        if (error) reject(error);
        else resolve(line!);
      };
      const onLine = (line: LogLine) => {
        if (predicate(line)) done(undefined, line);
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `${this.name}: no matching log line in ${timeoutMs} ms\n${this.formatLogs()}`,
            ),
          ),
        timeoutMs,
      );
      this.listeners.add(onLine);
      void this.exited.then((info) => {
        const why = `${this.name} exited (code ${info.code}, signal ${info.signal}) before the log line`;
        done(new Error(`${why}\n${this.formatLogs()}`));
      });
    });
  }

  /** Waits for a pino line whose `msg` equals `msg`; resolves with its JSON object. */
  async waitForMessage(
    msg: string,
    timeoutMs?: number,
    from?: number,
  ): Promise<Record<string, unknown>> {
    const line = await this.waitForLog((l) => l.json?.msg === msg, timeoutMs, from);
    return line.json!;
  }

  /** Sends `signal`; a SIGTERM not obeyed within `graceMs` becomes a SIGKILL. */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<ExitInfo> {
    if (!this.alive) return this.exited;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.exited;

    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Synchronous SIGKILL, for exit handlers. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** The last `tail` lines, each prefixed with the process name. */
  formatLogs(tail = 200): string {
    const shown = this.lines.slice(-tail).map((line) => {
      const mark = line.stream === 'stderr' ? '!' : ' ';
      return `[${this.name}]${mark} ${line.text}`;
    });
    const skipped = this.lines.length - shown.length;
    const head = `--- ${this.name} (pid ${this.pid}, ${this.describeState()}) ---`;
    return [head, ...(skipped > 0 ? [`... ${skipped} earlier lines`] : []), ...shown].join('\n');
  }

  private describeState(): string {
    if (!this.exitInfo) return 'running';
    return `exited code=${this.exitInfo.code} signal=${this.exitInfo.signal}`;
  }

  private collect(stream: 'stdout' | 'stderr'): void {
    const source = this.child[stream];
    if (!source) return;
    createInterface({ input: source, crlfDelay: Infinity }).on('line', (text) => {
      this.record(stream, text);
    });
  }

  private record(stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { stream, text, json: parseJsonObject(text), at: Date.now() };
    this.lines.push(line);
    for (const listener of this.listeners) listener(line);
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function spawnProcess(options: SpawnOptions): ManagedProcess {
  return new ManagedProcess(options);
}

/** Processes started by this test file that have not exited yet. */
export function liveProcesses(): ManagedProcess[] {
  return [...registry];
}

/** Processes of this test file that were running at some point since `since` (epoch ms). */
export function processesActiveSince(since: number): ManagedProcess[] {
  return history.filter((proc) => proc.exitedAt === null || proc.exitedAt >= since);
}

/** Stops every live process: SIGTERM, then SIGKILL after `graceMs`. */
export async function killAll(graceMs = 3_000): Promise<void> {
  await Promise.all(liveProcesses().map((proc) => proc.kill('SIGTERM', graceMs)));
}

// Last resort when the test worker exits without running its hooks.
process.once('exit', () => {
  for (const proc of registry) proc.killNow();
});
