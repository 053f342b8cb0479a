import type { Batch } from '../batches/batch-book.js';
import { isTerminal, type SubtaskRecord } from '../batches/model.js';

/**
 * Keeps at most `options.maxConcurrent` subtasks of a batch dispatched at once. Subtasks wait
 * here, `pending`, in pair order, and go out as earlier ones end.
 */
export class Pacer {
  readonly #queues = new Map<Batch, SubtaskRecord[]>();
  readonly #inFlight = new Map<Batch, number>();
  readonly #dispatch: (batch: Batch, subtask: SubtaskRecord) => void;

  constructor(dispatch: (batch: Batch, subtask: SubtaskRecord) => void) {
    this.#dispatch = dispatch;
  }

  /** Counts what a loaded batch already has out with agents. */
  adopt(batch: Batch): void {
    const out = batch.record.subtasks.filter(
      (s) => s.dispatchedAt !== undefined && !isTerminal(s.status),
    ).length;
    this.#inFlight.set(batch, out);
  }

  enqueue(batch: Batch, subtask: SubtaskRecord): void {
    let queue = this.#queues.get(batch);
    if (!queue) this.#queues.set(batch, (queue = []));
    queue.push(subtask);
  }

  /** A dispatched subtask of the batch has ended: room for the next one. */
  released(batch: Batch): void {
    this.#inFlight.set(batch, Math.max(0, (this.#inFlight.get(batch) ?? 0) - 1));
    this.pump(batch);
  }

  pump(batch: Batch): void {
    const queue = this.#queues.get(batch);
    if (!queue) return;
    const limit = batch.record.options?.maxConcurrent ?? Number.POSITIVE_INFINITY;
    let out = this.#inFlight.get(batch) ?? 0;

    while (out < limit && queue.length > 0) {
      const subtask = queue.shift()!;
      if (isTerminal(subtask.status) || subtask.dispatchedAt !== undefined || !subtask.taskId) {
        continue;
      }
      this.#dispatch(batch, subtask);
      out += 1;
    }
    this.#inFlight.set(batch, out);
    if (queue.length === 0) this.#queues.delete(batch);
  }
}
