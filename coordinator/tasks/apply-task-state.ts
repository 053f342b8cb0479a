import { ErrorCode } from '../../shared/error-codes.js';
import type { TaskState, TaskStateName } from '../../shared/messages.js';
import type { BatchBook } from '../batches/batch-book.js';
import { isTerminal, type SubtaskRecord, type SubtaskStatus } from '../batches/model.js';

export type ApplyOutcome = 'applied' | 'stale' | 'unknown-task' | 'wrong-agent' | 'already-ended';

const statusOf: Record<TaskStateName, SubtaskStatus> = {
  accepted: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
};

/**
 * Applies an agent's task state to its subtask. Messages are applied once and in order (by
 * `seq`); a subtask that has ended stays as it ended.
 */
export function applyTaskState(
  book: BatchBook,
  agentId: string,
  message: TaskState,
  now: number,
): ApplyOutcome {
  const ref = book.task(message.taskId);
  if (!ref) return 'unknown-task';

  const { subtask } = ref;
  if (subtask.agentId !== agentId || subtask.serialNumber !== message.serialNumber) {
    return 'wrong-agent';
  }
  if (isTerminal(subtask.status) && !isLateCompletion(subtask, message)) return 'already-ended';
  if (message.seq <= (subtask.seq ?? 0)) return 'stale';

  book.updateSubtask(ref, changeFor(message), now);
  return 'applied';
}

/**
 * An agent that came back after its subtasks failed with 1005 may have finished them meanwhile:
 * the device holds the whole package, so the subtask is completed after all.
 */
function isLateCompletion(subtask: SubtaskRecord, message: TaskState): boolean {
  return (
    subtask.status === 'failed' &&
    subtask.errorCode === ErrorCode.AgentLost &&
    message.state === 'completed'
  );
}

function changeFor(message: TaskState): Partial<SubtaskRecord> {
  const cancelled = message.state === 'failed' && message.errorCode === ErrorCode.Cancelled;
  const status = cancelled ? 'cancelled' : statusOf[message.state];
  const change: Partial<SubtaskRecord> = { status, seq: message.seq };
  if (status === 'running') change.startedAt = message.at;
  if (status === 'completed' || status === 'failed' || status === 'cancelled') {
    change.completedAt = message.at;
  }
  if (status === 'completed') {
    Object.assign(change, { errorCode: undefined, errorMessage: undefined, errorDetail: undefined });
    change.packageSize = message.packageSize;
    change.fileCount = message.fileCount;
    change.skippedFiles = message.skippedFiles;
    if (message.renamedFiles?.length) change.renamedFiles = message.renamedFiles;
  }
  if (status === 'failed' || status === 'cancelled') {
    change.errorCode = message.errorCode;
    change.errorMessage = message.errorMessage;
    change.errorDetail = message.errorDetail;
  }
  return change;
}
