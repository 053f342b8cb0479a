import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { ZodError } from 'zod';
import { DurableJsonFile } from '../../shared/durable-json-file.js';
import type { SyncCommand } from '../../shared/messages.js';
import type { VerifiedFile } from '../copy/plan.js';
import { isTerminal, JournalData, type TaskRecord } from './journal-schema.js';

export const JOURNAL_FILE = 'journal.json';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface JournalOptions {
  /** Longest time changes wait before they are written; `flush()` writes at once. */
  coalesceMs?: number;
  /**
   * Longest time a newly verified file waits (default 1 s). Losing one costs only its re-check
   * after a crash, while writing the journal after each of 2,000 small files costs the copy.
   */
  verifiedCoalesceMs?: number;
  keepTerminalMs?: number;
  now?: () => number;
  /** Called when a coalesced background write fails (the next flush retries it). */
  onWriteError?: (error: unknown) => void;
}

/**
 * The agent's memory of its tasks: a JSON file in the data directory, written durably
 * (temp file, fsync, rename, directory fsync). Changes are coalesced; `flush()` puts them on disk.
 */
export class Journal {
  /** Set when the file at open was unreadable and was moved aside to this path. */
  corruptCopy: string | undefined;
  readonly #db: Low<JournalData>;
  readonly #coalesceMs: number;
  readonly #verifiedCoalesceMs: number;
  readonly #now: () => number;
  readonly #onWriteError: (error: unknown) => void;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;

  private constructor(db: Low<JournalData>, options: JournalOptions) {
    this.#db = db;
    this.#coalesceMs = options.coalesceMs ?? 100;
    this.#verifiedCoalesceMs = Math.max(this.#coalesceMs, options.verifiedCoalesceMs ?? 1000);
    this.#now = options.now ?? Date.now;
    this.#onWriteError = options.onWriteError ?? (() => {});
  }

  /** Opens (or creates) the journal in `dataDir`; a corrupt file is set aside, not fatal. */
  static async open(dataDir: string, options: JournalOptions = {}): Promise<Journal> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, JOURNAL_FILE);
    const db = new Low<JournalData>(new DurableJsonFile(file), { version: 1, tasks: {} });
    const journal = new Journal(db, options);

    try {
      await db.read();
      db.data = JournalData.parse(db.data);
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof ZodError)) throw error;
      const stamp = new Date(journal.#now()).toISOString().replace(/[:.]/g, '-');
      journal.corruptCopy = `${file}.corrupt-${stamp}`;
      await rename(file, journal.corruptCopy);
      db.data = { version: 1, tasks: {} };
    }
    journal.prune(options.keepTerminalMs ?? 7 * DAY_MS);
    return journal;
  }

  get(taskId: string): TaskRecord | undefined {
    return this.#db.data.tasks[taskId];
  }

  all(): TaskRecord[] {
    return Object.values(this.#db.data.tasks);
  }

  /** Records a newly accepted task (seq 1). */
  accept(command: SyncCommand): TaskRecord {
    const record: TaskRecord = {
      command,
      state: 'accepted',
      seq: 1,
      updatedAt: this.#now(),
      verified: {},
    };
    this.#db.data.tasks[command.taskId] = record;
    this.#changed();
    return record;
  }

  /** Moves a task to a new state with the next seq; `fields` carry results or errors. */
  transition(
    taskId: string,
    state: TaskRecord['state'],
    fields: Partial<Omit<TaskRecord, 'command' | 'state' | 'seq' | 'updatedAt'>> = {},
  ): TaskRecord {
    const record = this.#require(taskId);
    Object.assign(record, fields, { state, seq: record.seq + 1, updatedAt: this.#now() });
    this.#changed();
    return record;
  }

  /** Remembers a file verified on the device for this task. */
  addVerified(taskId: string, { path: filePath, ...file }: VerifiedFile): void {
    this.#require(taskId).verified[filePath] = file;
    this.#changed(this.#verifiedCoalesceMs);
  }

  verifiedFiles(taskId: string): VerifiedFile[] {
    const verified = this.get(taskId)?.verified ?? {};
    return Object.entries(verified).map(([filePath, file]) => ({ path: filePath, ...file }));
  }

  /** Forgets terminal tasks older than `keepMs`. */
  prune(keepMs: number): void {
    const cutoff = this.#now() - keepMs;
    for (const [taskId, record] of Object.entries(this.#db.data.tasks)) {
      if (isTerminal(record) && record.updatedAt < cutoff) {
        delete this.#db.data.tasks[taskId];
        this.#changed();
      }
    }
  }

  /** Resolves once every change made before the call is on disk. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#dirty || this.#writing) {
      if (this.#writing) {
        await this.#writing.catch(() => {});
        continue;
      }
      this.#dirty = false;
      this.#writing = this.#db.write().finally(() => (this.#writing = undefined));
      await this.#writing.catch((error: unknown) => {
        this.#dirty = true;
        throw error;
      });
    }
  }

  #changed(withinMs = this.#coalesceMs): void {
    this.#dirty = true;
    const due = Date.now() + withinMs;
    if (this.#timer && this.#timerDue <= due) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => void this.flush().catch(this.#onWriteError), withinMs);
  }

  #require(taskId: string): TaskRecord {
    const record = this.#db.data.tasks[taskId];
    if (!record) throw new Error(`unknown task ${taskId}`);
    return record;
  }
}
