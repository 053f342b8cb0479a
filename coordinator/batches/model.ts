/** The coordinator's records of batches and subtasks, as kept in memory and in the store. */

export type SubtaskStatus = 'pending' | 'running' | 'completed' | 'failed';
export type BatchStatus = 'pending' | 'running' | 'completed' | 'partial_failed' | 'failed';

export const SUBTASK_STATUSES: readonly SubtaskStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
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
  errorCode?: number;
  errorMessage?: string;
  errorDetail?: string;
  /** Highest agent state sequence applied; older or repeated messages are ignored. */
  seq?: number;
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
}

export function isTerminal(status: SubtaskStatus): boolean {
  return status === 'completed' || status === 'failed';
}

/** The (meeting, device) pair that subtask number `index` stands for. */
export function pairAt(batch: BatchRecord, index: number): { meetingId: string; serialNumber: string } {
  const devices = batch.serialNumbers.length;
  return {
    meetingId: batch.meetingIds[Math.floor(index / devices)]!,
    serialNumber: batch.serialNumbers[index % devices]!,
  };
}
