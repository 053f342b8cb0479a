/**
 * The backbone end to end: a real coordinator (embedded broker) and a real agent process copy
 * real files onto device directories and a real FAT32 image, while the API is read exactly as
 * the frontend reads it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, BATCH_ENDED, pollUntil, type BatchStatusData } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { canMount, mountFat32, skipMounting, type MountedImage } from './helpers/fat-image.js';
import { compareTrees, listFiles } from './helpers/library.js';
import { startSite } from './helpers/site.js';
import type { Agent, Coordinator } from './helpers/system.js';

const FAT = canMount('fat32');
const DIR_DEVICE = 'WST300LX1000560';
const NAMED_DEVICE = 'WST300LX1000600';
const FAT_DEVICE = 'WST300LX1000777';
const ABSENT_DEVICE = 'WST300LX1000999';

describe.skipIf(skipMounting(FAT))('batch sync end to end', () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let fat: MountedImage;
  let mountRoot: string;

  beforeAll(async () => {
    ({ coordinator, api, agent, mountRoot } = await startSite({
      coordinator: { env: { WST_SSE_KEEPALIVE_MS: '300' } },
      meetings: {
        'board-2026-q4': {
          'agenda.pdf': 200_000,
          'slides/q4-review.pptx': 3_000_000,
          'notes/summary.txt': '会议纪要',
        },
        'annual-review': { 'recording.mp4': 24_000_000, 'minutes.docx': 100_000 },
      },
      devices: [DIR_DEVICE],
      beforeAgent: async (root) => {
        await makeDeviceDir(root, 'usb-port-3', NAMED_DEVICE);
        fat = await mountFat32(path.join(root, FAT_DEVICE), { sizeMiB: 96 });
      },
      agent: { agentId: 'host-a', bwLimit: 16 * 1024 * 1024, progressIntervalMs: 100 },
    }));
    await pollUntil(
      () => api.request('GET', '/api/v1/mount/devices'),
      (res) => (res.body as DevicesBody).data.devices.length === 3,
      { timeoutMs: 15_000, description: 'three devices online' },
    );
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
    await fat?.unmount();
  });

  it('lists the online devices with their agent, mount path and the FUSE FAT32 filesystem', async () => {
    const res = await api.request('GET', '/api/v1/mount/devices');
    const devices = (res.body as DevicesBody).data.devices;

    expect(devices.map((d) => d.serialNumber).sort()).toEqual(
      [DIR_DEVICE, NAMED_DEVICE, FAT_DEVICE].sort(),
    );
    expect(devices.every((d) => d.agentId === 'host-a' && d.online)).toBe(true);
    expect(devices.find((d) => d.serialNumber === NAMED_DEVICE)?.mountPath).toBe(
      path.join(mountRoot, 'usb-port-3'),
    );
    expect(devices.find((d) => d.serialNumber === FAT_DEVICE)?.fsType).toBe('fuse.fusefat');
  });

  it('copies 2 meetings onto 3 devices with one absent: partial_failed, 4 completed, 2 failed with 1001', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await api.createBatch({
      meetingIds: ['board-2026-q4', 'annual-review'],
      serialNumbers: [DIR_DEVICE, FAT_DEVICE, ABSENT_DEVICE],
    });
    expect(created.status).toBe('pending');
    expect(created.totalCount).toBe(6);
    expect(created.createdAt).toBeGreaterThanOrEqual(before);
    expect(created.createdAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const polls: BatchStatusData[] = [];
    const final = await pollUntil(
      async () => {
        const status = await api.getStatus(created.batchId);
        polls.push(status);
        return status;
      },
      (status) => BATCH_ENDED.includes(status.status),
      { timeoutMs: 45_000, intervalMs: 100, description: 'batch to end' },
    );

    for (const poll of polls) {
      const c = poll.statusCounts;
      expect(c.pending + c.running + c.completed + c.failed).toBe(poll.createdCount);
    }
    expect(polls.some((p) => p.status === 'running')).toBe(true);
    expect(final).toMatchObject({
      status: 'partial_failed',
      totalCount: 6,
      createdCount: 6,
      statusCounts: { pending: 0, running: 0, completed: 4, failed: 2 },
    });
    expect(final.duration).toBeGreaterThan(0);

    const { tasks } = await api.getTasks(created.batchId);
    const failed = tasks.filter((t) => t.status === 'failed');
    expect(failed).toEqual([
      {
        meetingId: 'board-2026-q4',
        serialNumber: ABSENT_DEVICE,
        status: 'failed',
        errorCode: 1001,
        errorMessage: '设备未在线',
      },
      {
        meetingId: 'annual-review',
        serialNumber: ABSENT_DEVICE,
        status: 'failed',
        errorCode: 1001,
        errorMessage: '设备未在线',
      },
    ]);
    for (const task of tasks.filter((t) => t.status === 'completed')) {
      expect(task.taskId).toMatch(/^task_\d{8}_\d{6}_[0-9a-f]{8}$/);
      expect(task.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(task.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(task.packageSize).toBe(task.meetingId === 'annual-review' ? 24_100_000 : 3_200_012);
      expect(task.fileCount).toBe(task.meetingId === 'annual-review' ? 2 : 3);
    }

    for (const device of [DIR_DEVICE, FAT_DEVICE]) {
      for (const meeting of ['board-2026-q4', 'annual-review']) {
        const onDevice = path.join(mountRoot, device, 'meetings', meeting);
        await compareTrees(path.join(coordinator.meetingsDir, meeting), onDevice);
        const record = JSON.parse(await readFile(path.join(onDevice, '.wst-sync.json'), 'utf8'));
        expect(record.meetingId).toBe(meeting);
      }
      const leftovers = (await listFiles(path.join(mountRoot, device))).filter((f) =>
        f.includes('.wst-part'),
      );
      expect(leftovers).toEqual([]);
    }
    // The small files of board-2026-q4 came in one bundle per device, none one by one.
    expect(agent.proc.records.filter((r) => String(r.msg).startsWith('bundle fell short'))).toEqual([]);
  });

  it('streams a snapshot, live progress and a final completed event, then closes', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: ['annual-review'],
      serialNumbers: [NAMED_DEVICE],
    });
    const task = await pollUntil(
      async () => (await api.getTasks(batchId)).tasks[0],
      (t) => t?.taskId !== undefined,
      { timeoutMs: 10_000, intervalMs: 50, description: 'task to be created' },
    );

    const stream = await api.progressStream(task!.taskId!, NAMED_DEVICE, { timeoutMs: 30_000 }).done;

    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    expect(stream.reason).toBe('end');
    const events = stream.frames.map((f) => f.event);
    expect(events[0]).toBe('progress');
    expect(events.at(-1)).toBe('completed');
    expect(events.filter((e) => e === 'completed')).toHaveLength(1);

    const live = stream.frames.filter(
      (f) => f.event === 'progress' && (f.data as Progress).percent > 0 && (f.data as Progress).percent < 100,
    );
    expect(live.length).toBeGreaterThan(2);
    const sample = live[Math.floor(live.length / 2)]!.data as Progress;
    expect(sample).toMatchObject({ taskId: task!.taskId, serialNumber: NAMED_DEVICE, status: 'running' });
    expect(sample.totalBytes).toBe(24_100_000);
    expect(sample.copiedBytes).toBeGreaterThan(0);
    expect(sample.speed).toBeGreaterThan(0);
    expect(sample.eta).toBeGreaterThanOrEqual(0);
    expect(typeof sample.currentFile).toBe('string');
    const percents = live.map((f) => (f.data as Progress).percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(stream.comments.length).toBeGreaterThan(0);

    const final = stream.frames.at(-1)!.data as Progress;
    expect(final).toMatchObject({ status: 'completed', percent: 100, copiedBytes: 24_100_000 });

    const copy = path.join(mountRoot, 'usb-port-3', 'meetings', 'annual-review');
    await compareTrees(path.join(coordinator.meetingsDir, 'annual-review'), copy);
  });

  it('sends the final event at once for a task that has already ended', async () => {
    const { tasks } = await api.getTasks((await api.listBatches()).tasks[0]!.batchId);
    const stream = await api.progressStream(tasks[0]!.taskId!, NAMED_DEVICE, { timeoutMs: 5_000 })
      .done;

    expect(stream.reason).toBe('end');
    expect(stream.frames.map((f) => f.event)).toEqual(['completed']);
  });

  it('answers 404 with {code, message} for an unknown task or a task of another device', async () => {
    const unknown = await api.request(
      'GET',
      '/api/v1/mount/sync/tasks/task_20990101_000000_deadbeef/progress/stream',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 404, message: expect.stringContaining('not found') });

    const { tasks } = await api.getTasks((await api.listBatches()).tasks[0]!.batchId);
    const wrong = await api.request(
      'GET',
      `/api/v1/mount/sync/tasks/${tasks[0]!.taskId}/progress/stream?serialNumber=${DIR_DEVICE}`,
    );
    expect(wrong.status).toBe(404);
  });

  it('does not copy again a file already on the device with the same size and hash', async () => {
    const target = path.join(mountRoot, DIR_DEVICE, 'meetings', 'annual-review', 'recording.mp4');
    const before = await stat(target);

    const { batchId } = await api.createBatch({
      meetingIds: ['annual-review'],
      serialNumbers: [DIR_DEVICE],
    });
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 20_000, intervalMs: 100 });

    expect(final.status).toBe('completed');
    expect((await stat(target)).ino).toBe(before.ino);
  });

  it('lists batches newest first with the counts a list needs', async () => {
    const list = await api.listBatches();

    expect(list.total).toBe(3);
    expect(list.tasks).toHaveLength(3);
    const created = list.tasks.map((t) => t.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const first = list.tasks.at(-1)!;
    expect(first).toMatchObject({
      status: 'partial_failed',
      totalCount: 6,
      createdCount: 6,
      statusCounts: { pending: 0, running: 0, completed: 4, failed: 2 },
    });
    expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it.each([
    ['a body that is not JSON', 'not json', /JSON/],
    ['an empty object', {}, /meetingIds/],
    ['no devices', { meetingIds: ['m1'], serialNumbers: [] }, /serialNumbers/],
    ['a meeting id that is a path', { meetingIds: ['../etc'], serialNumbers: ['D1'] }, /meetingId/],
    ['a serial number with a slash', { meetingIds: ['m1'], serialNumbers: ['a/b'] }, /serialNumber/],
    ['ids that are not strings', { meetingIds: [1], serialNumbers: ['D1'] }, /meetingIds/],
    ['metadata that is not an object', { meetingIds: ['m1'], serialNumbers: ['D1'], metadata: [] }, /metadata/],
  ])('refuses %s with 400 {code, message} and stores nothing', async (_, body, message) => {
    const before = (await api.listBatches()).total;

    const res = await api.request('POST', '/api/v1/mount/sync/batch', body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message: expect.stringMatching(message) });
    expect((await api.listBatches()).total).toBe(before);
  });

  it('answers 404 with {code, message} for an unknown batch', async () => {
    const res = await api.request('GET', '/api/v1/mount/sync/batch/batch_20990101_000000_abcdef/status');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: expect.stringContaining('not found') });
  });

  it('keeps every batch and subtask across a coordinator restart, even after SIGKILL', async () => {
    const listBefore = await api.listBatches();
    const tasksBefore = await api.getTasks(listBefore.tasks.at(-1)!.batchId);

    coordinator = await coordinator.restart({ signal: 'SIGKILL' });
    api = new ApiClient(coordinator.httpUrl);

    // A SIGKILL may lose the last coalesced write (100 ms); the agent re-tells those states.
    const summary = (list: Awaited<ReturnType<ApiClient['listBatches']>>) =>
      list.tasks.map((t) => [t.batchId, t.status, t.statusCounts]);
    const listAfter = await pollUntil(
      () => api.listBatches(),
      (list) => JSON.stringify(summary(list)) === JSON.stringify(summary(listBefore)),
      { timeoutMs: 15_000, intervalMs: 100, description: 'history as it was before the kill' },
    );
    expect(listAfter.total).toBe(listBefore.total);
    expect(await api.getTasks(tasksBefore.batchId)).toEqual(tasksBefore);
    const files = await readdir(path.join(coordinator.dataDir, 'batches'));
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(3);
  });
});

interface DevicesBody {
  data: {
    devices: { serialNumber: string; agentId: string; online: boolean; mountPath: string; fsType?: string }[];
  };
}

interface Progress {
  taskId: string;
  serialNumber: string;
  status: string;
  percent: number;
  copiedBytes: number;
  totalBytes: number;
  speed: number;
  eta: number | null;
  currentFile: string | null;
}
