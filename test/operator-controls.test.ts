/**
 * Issue 4 end to end: retry, cancel, waiting for offline devices, pacing and idempotent create,
 * against a real coordinator and agent copying real files.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, BATCH_ENDED, pollUntil, type BatchStatusData } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { compareTrees, listFiles, makeMeeting } from './helpers/library.js';
import { startAgentFor, startCoordinator, tempDir, type Coordinator } from './helpers/system.js';

describe('operator controls', () => {
  let coordinator: Coordinator;
  let api: ApiClient;
  let mountRoot: string;

  const untilOnline = (serial: string) =>
    pollUntil(
      () => api.request('GET', '/api/v1/mount/devices'),
      (res) => JSON.stringify(res.body).includes(`"serialNumber":"${serial}"`),
      { timeoutMs: 10_000, description: `${serial} online` },
    );

  beforeAll(async () => {
    coordinator = await startCoordinator({
      env: { WST_DEVICE_SETTLE_MS: '0', WST_AUTO_RETRY_ATTEMPTS: '0' },
    });
    api = new ApiClient(coordinator.httpUrl);
    mountRoot = await tempDir('wst-mounts-');
    for (const serial of ['DEV1', 'DEV2', 'DEV3', 'DEV4', 'DEV5']) {
      await makeDeviceDir(mountRoot, serial);
    }
    await makeMeeting(coordinator.meetingsDir, 'small', { 'agenda.pdf': 50_000 });
    await makeMeeting(coordinator.meetingsDir, 'big', { 'video.mp4': 24_000_000 });
    await makeMeeting(coordinator.meetingsDir, 'medium', { 'slides.pptx': 4_000_000 });
    await startAgentFor(coordinator, {
      agentId: 'host-a',
      mountRoot,
      bwLimit: 6 * 1024 * 1024,
    });
    await untilOnline('DEV5');
  });

  afterAll(async () => {
    await coordinator?.stop();
  });

  it('turns a 1001 into completed by a retry once the device is mounted, keeping the history', async () => {
    const { batchId } = await api.createBatch({ meetingIds: ['small'], serialNumbers: ['LATE1'] });
    await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });
    expect((await api.getTasks(batchId)).tasks[0]).toMatchObject({ status: 'failed', errorCode: 1001 });

    await makeDeviceDir(mountRoot, 'LATE1');
    await untilOnline('LATE1');
    const retry = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/retry`);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({
      code: 200,
      data: { batchId, retried: [{ meetingId: 'small', serialNumber: 'LATE1', attempt: 2 }] },
    });
    expect((await api.getStatus(batchId)).status).toBe('running');

    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });
    expect(final).toMatchObject({ status: 'completed', statusCounts: { completed: 1, failed: 0 } });
    const [task] = (await api.getTasks(batchId)).tasks;
    expect(task).toMatchObject({
      status: 'completed',
      attempt: 2,
      history: [{ attempt: 1, status: 'failed', errorCode: 1001, errorMessage: '设备未在线' }],
    });
    await compareTrees(
      path.join(coordinator.meetingsDir, 'small'),
      path.join(mountRoot, 'LATE1', 'meetings', 'small'),
    );
  });

  it('refuses to retry a subtask that has not failed (409) or does not exist (404), changing nothing', async () => {
    const { batchId } = await api.createBatch({ meetingIds: ['small'], serialNumbers: ['DEV1'] });
    await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });
    const before = await api.getTasks(batchId);

    const notFailed = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/retry`, {
      tasks: [{ meetingId: 'small', serialNumber: 'DEV1' }],
    });
    const unknown = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/retry`, {
      tasks: [{ meetingId: 'small', serialNumber: 'NOPE' }],
    });
    const nothingFailed = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/retry`);

    expect(notFailed.status).toBe(409);
    expect(notFailed.body).toEqual({
      code: 409,
      message: expect.stringContaining('only failed subtasks can be retried'),
    });
    expect(unknown.status).toBe(404);
    expect(nothingFailed.status).toBe(409);
    expect(await api.getTasks(batchId)).toEqual(before);
  });

  it('cancels a batch mid-copy: the running copy is aborted, no temp file stays, the queued one ends at once', async () => {
    const { batchId } = await api.createBatch({ meetingIds: ['big', 'small'], serialNumbers: ['DEV2'] });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.statusCounts.running === 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const cancel = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/cancel`);
    expect(cancel.status).toBe(200);
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });

    expect(final).toMatchObject({
      status: 'cancelled',
      statusCounts: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 2 },
    });
    for (const task of (await api.getTasks(batchId)).tasks) {
      expect(task).toMatchObject({ status: 'cancelled', errorCode: 1008, errorMessage: '已取消' });
    }
    const onDevice = await listFiles(path.join(mountRoot, 'DEV2'));
    expect(onDevice.filter((f) => f.includes('.wst-part'))).toEqual([]);
    expect(onDevice.some((f) => f.endsWith('video.mp4'))).toBe(false);
    const again = await api.request('POST', `/api/v1/mount/sync/batch/${batchId}/cancel`);
    expect(again.status).toBe(409);
  });

  it('cancels one task by its taskId and leaves the rest of the batch running to the end', async () => {
    const { batchId } = await api.createBatch({ meetingIds: ['big'], serialNumbers: ['DEV3', 'DEV4'] });
    const running = await pollUntil(
      () => api.getTasks(batchId),
      (t) => t.tasks.length === 2 && t.tasks.every((task) => task.status === 'running'),
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const target = running.tasks.find((t) => t.serialNumber === 'DEV3')!;
    const res = await api.request('POST', `/api/v1/mount/sync/tasks/${target.taskId}/cancel`);
    expect(res.status).toBe(200);
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });

    expect(final).toMatchObject({
      status: 'partial_failed',
      statusCounts: { completed: 1, cancelled: 1, failed: 0 },
    });
    await compareTrees(
      path.join(coordinator.meetingsDir, 'big'),
      path.join(mountRoot, 'DEV4', 'meetings', 'big'),
    );
    const dev3 = await listFiles(path.join(mountRoot, 'DEV3'));
    expect(dev3.filter((f) => f.includes('.wst-part'))).toEqual([]);
  });

  it('keeps a subtask pending with options.offline=wait and starts it when its device directory appears', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: ['small'],
      serialNumbers: ['LATE2'],
      options: { offline: 'wait', waitSeconds: 60 },
    });
    const waiting = await pollUntil(
      () => api.getTasks(batchId),
      (t) => t.tasks.length === 1,
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(waiting.tasks[0]).toMatchObject({ status: 'pending' });
    expect(waiting.tasks[0]!.taskId).toBeUndefined();
    expect((await api.getStatus(batchId)).status).toBe('running');

    await makeDeviceDir(mountRoot, 'LATE2');
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 50 });

    expect(final).toMatchObject({ status: 'completed', statusCounts: { completed: 1 } });
    expect((await readdir(path.join(mountRoot, 'LATE2', 'meetings'))).includes('small')).toBe(true);
  });

  it('fails a waiting subtask with 1001 when its device does not appear within waitSeconds', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: ['small'],
      serialNumbers: ['NEVER'],
      options: { offline: 'wait', waitSeconds: 1 },
    });
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 10_000, intervalMs: 50 });

    expect(final.status).toBe('failed');
    expect((await api.getTasks(batchId)).tasks[0]).toMatchObject({ errorCode: 1001 });
  });

  it('never has more than maxConcurrent subtasks running, as the status polls show', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: ['medium'],
      serialNumbers: ['DEV1', 'DEV2', 'DEV3', 'DEV4', 'DEV5'],
      options: { maxConcurrent: 2 },
    });
    const polls: BatchStatusData[] = [];
    await pollUntil(
      async () => {
        const status = await api.getStatus(batchId);
        polls.push(status);
        return status;
      },
      (s) => BATCH_ENDED.includes(s.status),
      { timeoutMs: 30_000, intervalMs: 25 },
    );

    const mostRunning = Math.max(...polls.map((p) => p.statusCounts.running));
    expect(mostRunning).toBe(2);
    expect(polls.at(-1)).toMatchObject({ status: 'completed', statusCounts: { completed: 5 } });
  });

  it('returns the same batch for a repeated Idempotency-Key and 409 for the same key with another body', async () => {
    const body = { meetingIds: ['small'], serialNumbers: ['DEV5'] };
    const first = await api.createBatch(body, { 'Idempotency-Key': 'order-42' });
    const repeat = await api.createBatch(body, { 'Idempotency-Key': 'order-42' });
    const other = await api.request(
      'POST',
      '/api/v1/mount/sync/batch',
      { meetingIds: ['big'], serialNumbers: ['DEV5'] },
      { 'Idempotency-Key': 'order-42' },
    );

    expect(repeat.batchId).toBe(first.batchId);
    expect(other.status).toBe(409);
    const list = await api.listBatches();
    expect(list.tasks.filter((t) => t.batchId === first.batchId)).toHaveLength(1);
  });

  it('creates one batch for ten concurrent requests with the same Idempotency-Key', async () => {
    const body = { meetingIds: ['small'], serialNumbers: ['DEV4'] };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api.createBatch(body, { 'Idempotency-Key': 'burst-7' })),
    );
    const other = await Promise.all(
      ['small', 'medium'].map((m) =>
        api.request('POST', '/api/v1/mount/sync/batch', { meetingIds: [m], serialNumbers: ['DEV5'] }, {
          'Idempotency-Key': 'burst-8',
        }),
      ),
    );

    expect(new Set(answers.map((a) => a.batchId)).size).toBe(1);
    expect(other.map((r) => r.status).sort()).toEqual([200, 409]);
    const list = await api.listBatches();
    expect(list.tasks.filter((t) => t.batchId === answers[0]!.batchId)).toHaveLength(1);
  });

  it.each([
    ['a POST from another origin (a web page the user visits)', { origin: 'http://evil.example' }, 403],
    ['a body that is not declared JSON (a plain HTML form)', { 'content-type': 'text/plain' }, 415],
  ])('refuses %s and creates nothing', async (_, headers, status) => {
    const before = (await api.listBatches()).total;
    const res = await fetch(`${coordinator.httpUrl}/api/v1/mount/sync/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ meetingIds: ['small'], serialNumbers: ['DEV1'] }),
    });

    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code: status, message: expect.any(String) });
    expect((await api.listBatches()).total).toBe(before);
  });

  it('answers 400, not 500, for metadata nested thousands of levels deep', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await api.request(
      'POST',
      '/api/v1/mount/sync/batch',
      `{"meetingIds":["small"],"serialNumbers":["DEV1"],"metadata":{"a":${deep}}}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message: expect.stringContaining('metadata') });
  });
});
