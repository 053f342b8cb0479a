import { mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { BatchRecord, SubtaskRecord } from '../batches/model.js';
import { DurableJsonFile } from '../../shared/durable-json-file.js';
import type { Store } from './store.js';

export interface StoreDamage {
  file: string;
  setAsideAs: string;
  recovered: boolean;
  error: string;
}

export interface LowdbStoreOptions {
  dataDir: string;
  /** How long changes are gathered before one write. */
  coalesceMs?: number;
  onDamage?: (damage: StoreDamage) => void;
  /** Called after each batch file write with its duration in seconds (fsync included). */
  onWrite?: (seconds: number) => void;
}

/**
 * One lowdb file per batch under `<dataDir>/batches/`, so a change rewrites only its own batch
 * and never the whole history. Each subtask's JSON is kept between writes and made again only
 * when the subtask changed, so a write of a 10,000-subtask batch serialises what changed since
 * the last one instead of 2.5 MB (which stalled the event loop for tens of ms per write).
 */
export class LowdbStore implements Store {
  readonly #dir: string;
  readonly #coalesceMs: number;
  readonly #onDamage: (damage: StoreDamage) => void;
  readonly #onWrite: (seconds: number) => void;
  readonly #files = new Map<string, BatchFile>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #dirReady: Promise<unknown> | undefined;
  /** Writes under way, so that `flush()` also waits for the ones a timer started. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: LowdbStoreOptions) {
    this.#dir = path.join(options.dataDir, 'batches');
    this.#coalesceMs = options.coalesceMs ?? 100;
    this.#onDamage = options.onDamage ?? (() => undefined);
    this.#onWrite = options.onWrite ?? (() => undefined);
  }

  async loadAll(): Promise<BatchRecord[]> {
    await this.#ensureDir();
    const names = (await readdir(this.#dir)).filter((name) => name.endsWith('.json'));
    const records: BatchRecord[] = [];
    for (const name of names) {
      const record = await this.#loadOne(path.join(this.#dir, name));
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  async save(batch: BatchRecord): Promise<void> {
    this.#dirty.delete(batch.batchId);
    const file = this.#file(batch);
    await this.#ensureDir();
    await this.#track(file.write());
  }

  saveLater(batch: BatchRecord, changed?: SubtaskRecord): void {
    this.#file(batch).changed(changed);
    this.#dirty.add(batch.batchId);
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.#coalesceMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    await this.#ensureDir();
    for (const id of ids) void this.#track(this.#files.get(id)!.write()).catch(() => undefined);
    await Promise.all(this.#inFlight);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  #track(write: Promise<void>): Promise<void> {
    const started = performance.now();
    write.then(() => this.#onWrite((performance.now() - started) / 1000), () => undefined);
    this.#inFlight.add(write);
    const done = () => this.#inFlight.delete(write);
    write.then(done, done);
    return write;
  }

  #ensureDir(): Promise<unknown> {
    this.#dirReady ??= mkdir(this.#dir, { recursive: true });
    return this.#dirReady;
  }

  #file(batch: BatchRecord): BatchFile {
    let file = this.#files.get(batch.batchId);
    if (!file) {
      const adapter = new DurableJsonFile<BatchRecord>(path.join(this.#dir, `${batch.batchId}.json`));
      file = new BatchFile(adapter, batch);
      this.#files.set(batch.batchId, file);
    }
    file.record = batch;
    return file;
  }

  /** Reads one batch file; a damaged one is set aside and its last good copy used instead. */
  async #loadOne(file: string): Promise<BatchRecord | null> {
    const adapter = new DurableJsonFile<BatchRecord>(file);
    try {
      const record = await adapter.read();
      if (record && isBatchRecord(record)) return this.#keep(file, record);
      throw new Error('not a batch record');
    } catch (error) {
      const setAsideAs = `${file}.damaged-${Date.now()}`;
      await rename(file, setAsideAs);
      const backup = await new DurableJsonFile<BatchRecord>(`${file}.bak`).read().catch(() => null);
      const recovered = backup !== null && isBatchRecord(backup);
      this.#onDamage({ file, setAsideAs, recovered, error: (error as Error).message });
      if (!recovered) return null;
      await adapter.write(backup);
      return this.#keep(file, backup);
    }
  }

  #keep(file: string, record: BatchRecord): BatchRecord {
    this.#files.set(record.batchId, new BatchFile(new DurableJsonFile<BatchRecord>(file), record));
    return record;
  }
}

/** One batch's file, with the JSON of each subtask as it was last written. */
class BatchFile {
  record: BatchRecord;
  readonly #adapter: DurableJsonFile<BatchRecord>;
  readonly #written = new WeakMap<SubtaskRecord, string>();
  readonly #changed = new Set<SubtaskRecord>();
  #allChanged = false;

  constructor(adapter: DurableJsonFile<BatchRecord>, record: BatchRecord) {
    this.#adapter = adapter;
    this.record = record;
  }

  /** Marks one subtask (or, without one, every subtask) to be serialised again. */
  changed(subtask?: SubtaskRecord): void {
    if (subtask) this.#changed.add(subtask);
    else this.#allChanged = true;
  }

  /** Serialises the batch now, reusing the JSON of unchanged subtasks, and writes it. */
  write(): Promise<void> {
    const { subtasks, ...head } = this.record;
    const parts = subtasks.map((subtask) => {
      let json = this.#written.get(subtask);
      if (json === undefined || this.#allChanged || this.#changed.has(subtask)) {
        json = JSON.stringify(subtask);
        this.#written.set(subtask, json);
      }
      return json;
    });
    this.#changed.clear();
    this.#allChanged = false;
    const headJson = JSON.stringify(head);
    const comma = headJson === '{}' ? '' : ',';
    return this.#adapter.writeText(`${headJson.slice(0, -1)}${comma}"subtasks":[${parts.join(',')}]}`);
  }
}

function isBatchRecord(value: unknown): value is BatchRecord {
  const record = value as BatchRecord;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.batchId === 'string' &&
    Array.isArray(record.meetingIds) &&
    Array.isArray(record.serialNumbers) &&
    Array.isArray(record.subtasks) &&
    typeof record.createdAt === 'number'
  );
}
