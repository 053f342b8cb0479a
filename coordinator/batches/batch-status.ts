import type { BatchStatus, StatusCounts } from './model.js';

/**
 * The batch status from its counters: `pending` until the first subtask is processed, `running`
 * while any is being created, pending or running, then a final verdict. A cancelled batch ends
 * `cancelled` once nothing runs, whatever finished before.
 */
export function deriveBatchStatus(
  totalCount: number,
  createdCount: number,
  counts: StatusCounts,
  cancelled = false,
): BatchStatus {
  if (createdCount === 0 && totalCount > 0 && !cancelled) return 'pending';
  if (createdCount < totalCount || counts.pending > 0 || counts.running > 0) return 'running';
  if (cancelled || counts.cancelled === totalCount) return 'cancelled';
  if (counts.completed === totalCount) return 'completed';
  if (counts.completed === 0) return 'failed';
  return 'partial_failed';
}

/** Seconds from creation to the end (or to `now` while running), to one decimal. */
export function durationSeconds(createdAt: number, endedAt: number | undefined, now: number): number {
  const end = endedAt ?? now;
  return Math.max(0, Math.round((end - createdAt) / 100) / 10);
}
