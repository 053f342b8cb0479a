import { describe, expect, it } from 'vitest';
import { deriveBatchStatus, durationSeconds } from './batch-status.js';

const counts = (
  pending: number,
  running: number,
  completed: number,
  failed: number,
  cancelled = 0,
) => ({ pending, running, completed, failed, cancelled });

describe('deriveBatchStatus', () => {
  it('stays pending until the first subtask is processed', () => {
    expect(deriveBatchStatus(4, 0, counts(0, 0, 0, 0))).toBe('pending');
  });

  it('is running while subtasks are still being created, even if all created ones ended', () => {
    expect(deriveBatchStatus(4, 2, counts(0, 0, 2, 0))).toBe('running');
  });

  it('is running while any subtask is pending or running', () => {
    expect(deriveBatchStatus(4, 4, counts(1, 0, 3, 0))).toBe('running');
    expect(deriveBatchStatus(4, 4, counts(0, 1, 3, 0))).toBe('running');
  });

  it('gives completed, failed or partial_failed once everything has ended', () => {
    expect(deriveBatchStatus(4, 4, counts(0, 0, 4, 0))).toBe('completed');
    expect(deriveBatchStatus(4, 4, counts(0, 0, 0, 4))).toBe('failed');
    expect(deriveBatchStatus(6, 6, counts(0, 0, 4, 2))).toBe('partial_failed');
  });

  it('ends a cancelled batch cancelled only once nothing is pending or running', () => {
    expect(deriveBatchStatus(4, 4, counts(0, 1, 1, 0, 2), true)).toBe('running');
    expect(deriveBatchStatus(4, 4, counts(0, 0, 2, 0, 2), true)).toBe('cancelled');
  });

  it('counts cancelled subtasks of a batch that was not cancelled as not completed', () => {
    expect(deriveBatchStatus(4, 4, counts(0, 0, 3, 0, 1))).toBe('partial_failed');
    expect(deriveBatchStatus(2, 2, counts(0, 0, 0, 1, 1))).toBe('failed');
    expect(deriveBatchStatus(2, 2, counts(0, 0, 0, 0, 2))).toBe('cancelled');
  });
});

describe('durationSeconds', () => {
  it('counts to the end when the batch has ended, to now otherwise, with one decimal', () => {
    expect(durationSeconds(1_000, 32_540, 99_000)).toBe(31.5);
    expect(durationSeconds(1_000, undefined, 3_260)).toBe(2.3);
  });
});
