/** The contract's response shapes, built from the batch book. */
import type { TaskProgress } from '../../shared/messages.js';
import { isoSeconds, unixSeconds } from '../../shared/time.js';
import type { Batch, BatchBook } from './batch-book.js';
import { durationSeconds } from './batch-status.js';
import type { SubtaskRecord } from './model.js';

export function statusView(book: BatchBook, batch: Batch, now: number) {
  const { record } = batch;
  return {
    batchId: record.batchId,
    status: book.status(batch),
    totalCount: record.totalCount,
    createdCount: record.subtasks.length,
    statusCounts: { ...batch.counts },
    createdAt: unixSeconds(record.createdAt),
    updatedAt: unixSeconds(record.updatedAt),
    duration: durationSeconds(record.createdAt, record.endedAt, now),
  };
}

/** A list item: the status view's counts with ISO-8601 times, as the contract's list uses. */
export function listItemView(book: BatchBook, batch: Batch, now: number) {
  return {
    ...statusView(book, batch, now),
    createdAt: isoSeconds(batch.record.createdAt),
    updatedAt: isoSeconds(batch.record.updatedAt),
  };
}

export function taskView(subtask: SubtaskRecord, progress: TaskProgress | undefined) {
  return {
    ...(subtask.taskId !== undefined && { taskId: subtask.taskId }),
    meetingId: subtask.meetingId,
    serialNumber: subtask.serialNumber,
    status: subtask.status,
    ...(subtask.createdAt !== undefined && { createdAt: isoSeconds(subtask.createdAt) }),
    ...(subtask.status === 'completed' && {
      completedAt: isoSeconds(subtask.completedAt ?? subtask.createdAt ?? 0),
      packageSize: subtask.packageSize ?? 0,
      fileCount: subtask.fileCount ?? 0,
      ...(subtask.renamedFiles && { renamedFiles: subtask.renamedFiles }),
    }),
    ...(subtask.status === 'running' && { percent: progress?.percent ?? 0 }),
    ...((subtask.status === 'failed' || subtask.status === 'cancelled') && {
      errorCode: subtask.errorCode,
      errorMessage: subtask.errorMessage,
      ...(subtask.errorDetail && { errorDetail: subtask.errorDetail }),
    }),
    ...(subtask.waitUntil !== undefined && { waitUntil: isoSeconds(subtask.waitUntil) }),
    ...(subtask.attempt !== undefined && subtask.attempt > 1 && { attempt: subtask.attempt }),
    ...(subtask.history && {
      history: subtask.history.map((h) => ({
        ...h,
        ...(h.endedAt !== undefined && { endedAt: isoSeconds(h.endedAt) }),
      })),
    }),
  };
}

/** One SSE event's data: the task's status with its latest known progress. */
export function progressView(batchId: string, subtask: SubtaskRecord, progress?: TaskProgress) {
  const done = subtask.status === 'completed';
  const total = progress?.totalBytes ?? subtask.packageSize ?? 0;
  return {
    taskId: subtask.taskId,
    batchId,
    meetingId: subtask.meetingId,
    serialNumber: subtask.serialNumber,
    status: subtask.status,
    percent: done ? 100 : (progress?.percent ?? 0),
    copiedBytes: done ? (subtask.packageSize ?? total) : (progress?.copiedBytes ?? 0),
    totalBytes: done ? (subtask.packageSize ?? total) : total,
    speed: done ? 0 : (progress?.speed ?? 0),
    eta: done ? 0 : (progress?.eta ?? null),
    currentFile: done ? null : (progress?.currentFile ?? null),
    filesDone: done ? (subtask.fileCount ?? 0) : (progress?.filesDone ?? 0),
    fileCount: progress?.fileCount ?? subtask.fileCount ?? 0,
    ...(progress && !done && { at: progress.at }),
    ...(done && { completedAt: isoSeconds(subtask.completedAt ?? 0) }),
    ...((subtask.status === 'failed' || subtask.status === 'cancelled') && {
      errorCode: subtask.errorCode,
      errorMessage: subtask.errorMessage,
      ...(subtask.errorDetail && { errorDetail: subtask.errorDetail }),
    }),
  };
}
