import type { Batch } from '../batches/batch-book.js';

/**
 * Bytes delivered by completed subtasks: the sum of their `packageSize` (files already on the
 * device and skipped count too). Each batch's sum is cached and recomputed only after the batch
 * changed, so a scrape does not walk every subtask of every batch.
 */
export class BytesCopied {
  readonly #cache = new WeakMap<Batch, { key: string; bytes: number }>();

  total(batches: readonly Batch[]): number {
    let total = 0;
    for (const batch of batches) total += this.#ofBatch(batch);
    return total;
  }

  #ofBatch(batch: Batch): number {
    if (batch.counts.completed === 0) return 0;
    const key = `${batch.record.updatedAt}:${batch.counts.completed}:${batch.record.subtasks.length}`;
    const cached = this.#cache.get(batch);
    if (cached?.key === key) return cached.bytes;

    let bytes = 0;
    for (const subtask of batch.record.subtasks) {
      if (subtask.status === 'completed') bytes += subtask.packageSize ?? 0;
    }
    this.#cache.set(batch, { key, bytes });
    return bytes;
  }
}
