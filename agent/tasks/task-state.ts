import type { SyncCommand, TaskState } from '../../shared/messages.js';
import { isTerminal, type TaskRecord } from '../journal/journal-schema.js';

const RETELL_TERMINAL_MS = 24 * 60 * 60 * 1000;

/** The TaskState message for a journal record. */
export function toTaskState(record: TaskRecord): TaskState {
  const { taskId, batchId, meetingId, serialNumber } = record.command;
  const state: TaskState = {
    taskId,
    batchId,
    meetingId,
    serialNumber,
    state: record.state,
    seq: record.seq,
    at: record.updatedAt,
  };
  if (record.state === 'completed') {
    Object.assign(state, pick(record, ['packageSize', 'fileCount', 'skippedFiles']));
    if (record.renamedFiles?.length) state.renamedFiles = record.renamedFiles.slice(0, 10_000);
  }
  if (record.state === 'failed') {
    Object.assign(state, pick(record, ['errorCode', 'errorMessage', 'errorDetail']));
  }
  return state;
}

/** The ids every log line about a task carries (the agent id comes from the logger). */
export function taskLogFields(taskId: string, command?: SyncCommand) {
  if (!command) return { taskId };
  const { batchId, meetingId, serialNumber } = command;
  return { taskId, batchId, meetingId, serialNumber };
}

/** Tasks to re-tell the coordinator on (re)connect: unfinished ones and those ended lately. */
export function shouldRetell(record: TaskRecord, now: number): boolean {
  return !isTerminal(record) || now - record.updatedAt < RETELL_TERMINAL_MS;
}

function pick<K extends keyof TaskRecord>(record: TaskRecord, keys: K[]): Partial<TaskRecord> {
  const picked: Partial<TaskRecord> = {};
  for (const key of keys) if (record[key] !== undefined) picked[key] = record[key];
  return picked;
}
