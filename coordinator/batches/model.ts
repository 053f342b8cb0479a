/** The coordinator's records of batches and subtasks, as kept in memory and in the store. */

export type SubtaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type BatchStatus =
  | 'pending'
  | 'running'
  | 'completed'
  | 'partial_failed'
  | 'failed'
  | 'cancelled';

export const SUBTASK_STATUSES: readonly SubtaskStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
];

export type StatusCounts = Record<SubtaskStatus, number>;

export interface SubtaskRecord {
  meetingId: string;
  serialNumber: string;
  status: SubtaskStatus;
  /** Absent when the subtask could not be created (offline device, unknown meeting). */
  taskId?: string;
  agentId?: string;
  /** epoch ms */
  createdAt?: number;
  startedAt?: number;
  completedAt?: number;
  packageSize?: number;
  fileCount?: number;
  skippedFiles?: number;
  /** Files stored under another name on the device (names its filesystem cannot hold). */
  renamedFiles?: { from: string; to: string }[];
  errorCode?: number;
  errorMessage?: string;
  errorDetail?: string;
  /** Highest agent state sequence applied; older or repeated messages are ignored. */
  seq?: number;
  /** 1 for the first run; each retry adds one. */
  attempt?: number;
  /** Earlier attempts, oldest first. */
  history?: AttemptRecord[];
  /** When the sync command went to the agent; unset while queued or waiting for the device. */
  dispatchedAt?: number;
  /** Waiting for the device: the subtask fails with 1001 if it is not online by then. */
  waitUntil?: number;
  /** Waiting: not to be dispatched before this time (automatic retry backoff). */
  notBefore?: number;
}

export interface AttemptRecord {
  attempt: number;
  taskId?: string;
  status: SubtaskStatus;
  errorCode?: number;
  errorMessage?: string;
  errorDetail?: string;
  endedAt?: number;
}

export interface BatchOptions {
  /** `fail`: an offline device fails its subtask at creation (1001). `wait`: it waits. */
  offline: 'fail' | 'wait';
  waitSeconds?: number;
  /** Most subtasks of this batch dispatched to agents at once. */
  maxConcurrent?: number;
}

export interface BatchRecord {
  batchId: string;
  meetingIds: string[];
  serialNumbers: string[];
  metadata: Record<string, unknown>;
  totalCount: number;
  /** epoch ms */
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  /** Subtasks processed by the creator, in pair order: meeting-major, device-minor. */
  subtasks: SubtaskRecord[];
  options?: BatchOptions;
  /** Set when the batch was cancelled. */
  cancelledAt?: number;
  idempotencyKey?: string;
  /** sha256 of the create request's body, to tell a repeated request from a different one. */
  requestHash?: string;
}

export function isTerminal(status: SubtaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** The (meeting, device) pair that subtask number `index` stands for. */
export function pairAt(batch: BatchRecord, index: number): { meetingId: string; serialNumber: string } {
  const devices = batch.serialNumbers.length;
  return {
    meetingId: batch.meetingIds[Math.floor(index / devices)]!,
    serialNumber: batch.serialNumbers[index % devices]!,
  };
}
