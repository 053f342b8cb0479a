import { randomBytes } from 'node:crypto';

/** `20251110_172109` in UTC: ids sort by creation time and read like the contract's examples. */
function stamp(at: Date): string {
  const iso = at.toISOString(); // 2025-11-10T17:21:09.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** `batch_20251110_172109_abc123` */
export function newBatchId(at = new Date()): string {
  return `batch_${stamp(at)}_${randomBytes(3).toString('hex')}`;
}

/** `task_20251110_172109_a68e8684` */
export function newTaskId(at = new Date()): string {
  return `task_${stamp(at)}_${randomBytes(4).toString('hex')}`;
}

/** Ids as they may appear in URLs and topics: no slashes, wildcards or dots-only names. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const BATCH_ID_PATTERN = /^batch_\d{8}_\d{6}_[0-9a-f]{6}$/;
export const TASK_ID_PATTERN = /^task_\d{8}_\d{6}_[0-9a-f]{8}$/;
