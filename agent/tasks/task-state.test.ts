import { describe, expect, it } from 'vitest';
import { TaskState } from '../../shared/messages.js';
import { TaskRecord } from '../journal/journal-schema.js';
import { toTaskState } from './task-state.js';

const command = {
  type: 'sync' as const,
  taskId: 'task_20261204_160000_abcd1234',
  batchId: 'batch_20261204_160000_abc123',
  meetingId: 'board-2026',
  serialNumber: 'WST300LX1000561',
  issuedAt: 1_700_000_000_000,
};

describe('toTaskState', () => {
  it('re-tells the renamed files of a completed task after the journal was read back', () => {
    const stored = JSON.parse(
      JSON.stringify({
        command,
        state: 'completed',
        seq: 4,
        updatedAt: 1_700_000_001_000,
        packageSize: 12,
        fileCount: 2,
        skippedFiles: 0,
        renamedFiles: [{ from: 'a:b.txt', to: 'a_b.txt' }],
        verified: {
          'a:b.txt': { devicePath: 'a_b.txt', size: 6, sha256: 'ab', mtimeMs: 1 },
          'c.txt': { size: 6, sha256: 'cd', mtimeMs: 2 },
        },
      }),
    );
    const record = TaskRecord.parse(stored);

    const state = toTaskState(record);

    expect(TaskState.parse(state)).toEqual({
      taskId: command.taskId,
      batchId: command.batchId,
      meetingId: command.meetingId,
      serialNumber: command.serialNumber,
      state: 'completed',
      seq: 4,
      at: 1_700_000_001_000,
      packageSize: 12,
      fileCount: 2,
      skippedFiles: 0,
      renamedFiles: [{ from: 'a:b.txt', to: 'a_b.txt' }],
    });
    expect(record.verified['a:b.txt']?.devicePath).toBe('a_b.txt');
  });

  it('sends no renamedFiles when nothing was renamed', () => {
    const record = TaskRecord.parse({
      command,
      state: 'completed',
      seq: 4,
      updatedAt: 1,
      renamedFiles: [],
    });

    expect(toTaskState(record)).not.toHaveProperty('renamedFiles');
  });
});
