import { ErrorCode, errorMessage } from '../../shared/error-codes.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { MeetingLibrary } from '../library/library.js';
import type { Store } from '../store/store.js';
import type { TaskLifecycle } from '../tasks/lifecycle.js';
import type { Batch, BatchBook } from './batch-book.js';
import { pairAt, type SubtaskRecord } from './model.js';

export interface SubtaskCreatorOptions {
  book: BatchBook;
  store: Store;
  library: MeetingLibrary;
  devices: DeviceRegistry;
  lifecycle: TaskLifecycle;
  /** Subtasks created, persisted and dispatched together. */
  chunkSize?: number;
  onChunk?: (batch: Batch, created: SubtaskRecord[]) => void;
  onError?: (batch: Batch, error: unknown) => void;
}

/**
 * Turns accepted batches into subtasks in the background, one chunk at a time: create the chunk,
 * persist it, then dispatch it. A restart resumes after the last persisted chunk, so a pair never
 * gets two taskIds and no command goes out for a subtask that is not on disk.
 */
export class SubtaskCreator {
  readonly #o: Required<Omit<SubtaskCreatorOptions, 'onChunk' | 'onError'>> &
    Pick<SubtaskCreatorOptions, 'onChunk' | 'onError'>;
  readonly #queue: Batch[] = [];
  #running = false;
  #paused = true;

  constructor(options: SubtaskCreatorOptions) {
    this.#o = { chunkSize: 500, ...options };
  }

  enqueue(batch: Batch): void {
    this.#queue.push(batch);
    void this.#drain();
  }

  /** Creation waits until devices had a chance to report after a start. */
  resume(): void {
    this.#paused = false;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#running || this.#paused) return;
    this.#running = true;
    try {
      let batch: Batch | undefined;
      while ((batch = this.#queue[0])) {
        await this.#createAll(batch).catch((error: unknown) => this.#o.onError?.(batch!, error));
        this.#queue.shift();
      }
    } finally {
      this.#running = false;
    }
  }

  async #createAll(batch: Batch): Promise<void> {
    const meetingExists = new Map<string, boolean>();
    while (batch.record.subtasks.length < batch.record.totalCount) {
      const start = batch.record.subtasks.length;
      const end = Math.min(start + this.#o.chunkSize, batch.record.totalCount);
      const created: SubtaskRecord[] = [];
      for (let index = start; index < end; index++) {
        const subtask = await this.#createOne(batch, index, meetingExists);
        this.#o.book.appendSubtask(batch, subtask, Date.now());
        created.push(subtask);
      }

      await this.#o.store.save(batch.record);
      this.#o.lifecycle.created(batch, created);
      this.#o.onChunk?.(batch, created);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async #createOne(
    batch: Batch,
    index: number,
    meetingExists: Map<string, boolean>,
  ): Promise<SubtaskRecord> {
    const { meetingId, serialNumber } = pairAt(batch.record, index);
    if (batch.record.cancelledAt !== undefined) {
      return ended(meetingId, serialNumber, 'cancelled', ErrorCode.Cancelled);
    }

    let exists = meetingExists.get(meetingId);
    if (exists === undefined) {
      exists = await this.#o.library.has(meetingId);
      meetingExists.set(meetingId, exists);
    }
    if (!exists) return ended(meetingId, serialNumber, 'failed', ErrorCode.MeetingNotFound);

    const agentId = this.#o.devices.onlineAgentFor(serialNumber);
    const options = batch.record.options;
    if (!agentId && options?.offline === 'wait') {
      const waitUntil = Date.now() + (options.waitSeconds ?? 0) * 1000;
      return { meetingId, serialNumber, status: 'pending', waitUntil };
    }
    if (!agentId) return ended(meetingId, serialNumber, 'failed', ErrorCode.DeviceOffline);

    const now = Date.now();
    const taskId = this.#o.book.unusedTaskId(new Date(now));
    return { meetingId, serialNumber, status: 'pending', taskId, agentId, createdAt: now };
  }
}

function ended(
  meetingId: string,
  serialNumber: string,
  status: 'failed' | 'cancelled',
  code: typeof ErrorCode.MeetingNotFound | typeof ErrorCode.DeviceOffline | typeof ErrorCode.Cancelled,
): SubtaskRecord {
  return { meetingId, serialNumber, status, errorCode: code, errorMessage: errorMessage(code) };
}
