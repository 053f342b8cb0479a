import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import type { SyncCommand, TaskState } from '../../shared/messages.js';
import { abortError } from '../copy/copy-error.js';
import type { CopyMeetingRequest } from '../copy/copy-meeting.js';
import { Journal } from '../journal/journal.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskRunner, type TaskRunnerOptions } from './task-runner.js';

let dir: string;
let journal: Journal;
let published: TaskState[];
let onDisk: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-runner-'));
  journal = await Journal.open(dir, { coalesceMs: 60_000 });
  published = [];
  onDisk = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const command = (taskId: string): SyncCommand => ({
  type: 'sync',
  taskId,
  batchId: 'b1',
  meetingId: 'm1',
  serialNumber: 'S1',
  issuedAt: 1,
});

/** A copy that runs until its signal aborts, or until `finish` is called. */
function controllableCopy() {
  const calls: CopyMeetingRequest[] = [];
  let finish = () => {};
  const copy = (request: CopyMeetingRequest) => {
    calls.push(request);
    return new Promise<{ packageSize: number; fileCount: number; skippedFiles: number }>(
      (resolve, reject) => {
        finish = () => resolve({ packageSize: 10, fileCount: 1, skippedFiles: 0 });
        request.signal?.addEventListener('abort', () => reject(abortError(request.signal!)));
      },
    );
  };
  return { calls, copy, finish: () => finish() };
}

function runner(extra: Partial<TaskRunnerOptions> = {}): TaskRunner {
  return new TaskRunner({
    journal,
    publisher: {
      publishTaskState: (state) => {
        published.push(state);
        const disk = JSON.parse(readFileSync(path.join(dir, 'journal.json'), 'utf8'));
        onDisk.push(`${disk.tasks[state.taskId].state}#${disk.tasks[state.taskId].seq}`);
      },
      publishProgress: () => {},
    },
    locate: () => ({ mountPath: dir }),
    endpoint: { baseUrl: 'http://127.0.0.1:1', agentId: 'a', token: 't' },
    progressIntervalMs: 200,
    bwlimit: 0,
    logger: pino({ level: 'silent' }),
    ...extra,
  });
}

const told = () => published.map((s) => `${s.state}#${s.seq}`);

describe('TaskRunner', () => {
  it('writes each state to the journal file before publishing it', async () => {
    const fake = controllableCopy();
    const tasks = runner({ copy: fake.copy });
    tasks.deviceOnline('S1');

    await tasks.sync(command('t1'));
    await waitFor('copy started', () => fake.calls.length === 1);
    fake.finish();
    await waitFor('completed', () => published.length === 3);

    expect(told()).toEqual(['accepted#1', 'running#2', 'completed#3']);
    expect(onDisk).toEqual(told());
  });

  it('fails a queued task with 1008 when it is cancelled before it starts', async () => {
    const tasks = runner();
    await tasks.sync(command('t1'));

    expect(await tasks.cancel('t1')).toBe('cancelled');

    expect(published.at(-1)).toMatchObject({
      state: 'failed',
      seq: 2,
      errorCode: ErrorCode.Cancelled,
    });
  });

  it('fails a running copy with 1003 when its device goes offline', async () => {
    const fake = controllableCopy();
    const tasks = runner({ copy: fake.copy });
    tasks.deviceOnline('S1');
    await tasks.sync(command('t1'));
    await waitFor('copy started', () => fake.calls.length === 1);

    tasks.deviceOffline('S1');
    await waitFor('failed', () => published.length === 3);

    expect(published.at(-1)).toMatchObject({ state: 'failed', errorCode: ErrorCode.DeviceRemoved });
  });

  it('queues the task again when the device-return hook says the device came back', async () => {
    const fake = controllableCopy();
    let returned: (() => void) | undefined;
    const tasks = runner({
      copy: fake.copy,
      awaitDeviceReturn: () => new Promise((resolve) => (returned = () => resolve(true))),
    });
    tasks.deviceOnline('S1');
    await tasks.sync(command('t1'));
    await waitFor('copy started', () => fake.calls.length === 1);

    tasks.deviceOffline('S1');
    await waitFor('hook asked', () => returned);
    tasks.deviceOnline('S1');
    returned!();
    await waitFor('copy restarted', () => fake.calls.length === 2);
    fake.finish();
    await waitFor('completed', () => published.length === 3);

    expect(told()).toEqual(['accepted#1', 'running#2', 'completed#3']);
  });

  it('leaves an interrupted copy running in the journal when stopped', async () => {
    const fake = controllableCopy();
    const tasks = runner({ copy: fake.copy });
    tasks.deviceOnline('S1');
    await tasks.sync(command('t1'));
    await waitFor('copy started', () => fake.calls.length === 1);

    await tasks.stop();

    expect(told()).toEqual(['accepted#1', 'running#2']);
    expect(journal.get('t1')).toMatchObject({ state: 'running', seq: 2 });
  });
});
