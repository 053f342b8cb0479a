import { errorMessage, type ErrorCodeValue } from '../../shared/error-codes.js';
import type { BatchBook } from '../batches/batch-book.js';
import type { Store } from '../store/store.js';
import type { TaskEvents } from './task-events.js';

/** Fails every unfinished subtask of an agent with one error code; returns their task ids. */
export function failOpenTasks(
  deps: { book: BatchBook; store: Store; events: TaskEvents },
  agentId: string,
  code: ErrorCodeValue,
  detail: string,
  now: number,
): string[] {
  const taskIds = deps.book.openTaskIds(agentId);
  for (const taskId of taskIds) {
    const ref = deps.book.task(taskId);
    if (!ref) continue;
    deps.book.updateSubtask(
      ref,
      { status: 'failed', errorCode: code, errorMessage: errorMessage(code), errorDetail: detail, completedAt: now },
      now,
    );
    deps.store.saveLater(ref.batch.record);
    deps.events.publishState(taskId, true);
  }
  return taskIds;
}
