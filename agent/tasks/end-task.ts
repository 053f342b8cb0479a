import { ErrorCode, errorMessage } from '../../shared/error-codes.js';
import type { TaskState } from '../../shared/messages.js';
import { CopyError } from '../copy/copy-error.js';
import type { CopyMeetingResult } from '../copy/copy-meeting.js';
import type { TaskRecord } from '../journal/journal-schema.js';
import type { Journal } from '../journal/journal.js';
import { toTaskState } from './task-state.js';

export type TaskOutcome = { result: CopyMeetingResult } | { failure: unknown };

/**
 * Moves a task to completed or failed, puts that on disk, and only then publishes it. A failure
 * that is no CopyError is reported as 1006 with its message.
 */
export async function endTask(
  journal: Journal,
  publisher: { publishTaskState(state: TaskState): void },
  taskId: string,
  outcome: TaskOutcome,
): Promise<TaskRecord> {
  const record =
    'result' in outcome
      ? journal.transition(taskId, 'completed', outcome.result)
      : journal.transition(taskId, 'failed', failureFields(toCopyFailure(outcome.failure)));
  await journal.flush();
  publisher.publishTaskState(toTaskState(record));
  return record;
}

function toCopyFailure(error: unknown): CopyError {
  if (error instanceof CopyError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new CopyError(ErrorCode.WriteFailed, detail, { cause: error });
}

function failureFields(failure: CopyError) {
  return {
    errorCode: failure.code,
    errorMessage: errorMessage(failure.code),
    errorDetail: failure.detail?.slice(0, 2048),
  };
}
