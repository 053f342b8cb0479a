/**
 * Issue 3, the device fills up: a 5 MiB tmpfs is a device with real free space and a real ENOSPC,
 * and a small FAT32 image (whose FUSE driver reports no free space at all) fills up for real.
 * Every case ends in 1004 设备空间不足 with no partial file left on the device.
 */
import { statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { canMount, mountFat32, skipMounting, type MountedImage } from './helpers/fat-image.js';
import { entriesOf, partFiles, waitForDevice, waitForPartFile } from './helpers/faults.js';
import { compareTrees, listFiles, makeMeeting } from './helpers/library.js';
import {
  startAgent,
  startCoordinator,
  tempDir,
  type Agent,
  type Coordinator,
} from './helpers/system.js';
import { canMountTmpfs, mountTmpfs, type MountedTmpfs } from './helpers/tmpfs.js';

const TMPFS = await canMountTmpfs();
const FAT = canMount('fat32');
const capability = !TMPFS.ok ? TMPFS : FAT;
const title = capability.ok ? 'device full' : `device full (cannot mount: ${capability.reason})`;

const SMALL = 'WST300LX1000901';
const FAT_SMALL = 'WST300LX1000902';
describe.skipIf(skipMounting(capability))(title, () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let fatAgent: Agent;
  let api: ApiClient;
  let tmpfs: MountedTmpfs;
  let fat: MountedImage;
  let tmpfsPath: string;
  let fatPath: string;

  const runBatch = async (meetingIds: string[], serialNumber: string) => {
    const { batchId } = await api.createBatch({ meetingIds, serialNumbers: [serialNumber] });
    return batchId;
  };
  const deviceFull = (meetingId: string, serialNumber: string) =>
    expect.objectContaining({
      meetingId,
      serialNumber,
      status: 'failed',
      errorCode: 1004,
      errorMessage: '设备空间不足',
    });

  beforeAll(async () => {
    coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
    api = new ApiClient(coordinator.httpUrl);
    const library = coordinator.meetingsDir;
    await makeMeeting(library, 'too-big', { 'recording.mp4': 6 * 1024 * 1024 });
    await makeMeeting(library, 'slow-fill', { 'slides.pptx': 3 * 1024 * 1024 });
    await makeMeeting(library, 'first-half', { 'a.pdf': 3 * 1024 * 1024 });
    await makeMeeting(library, 'second-half', { 'b.pdf': 3 * 1024 * 1024 });
    await makeMeeting(library, 'fat-overflow', {
      'agenda.pdf': 100_000,
      'video.mp4': 48 * 1024 * 1024,
    });

    const mountRoot = await tempDir('wst-mounts-');
    tmpfsPath = path.join(mountRoot, SMALL);
    tmpfs = await mountTmpfs(tmpfsPath, 5);
    const fatRoot = await tempDir('wst-mounts-');
    fatPath = path.join(fatRoot, FAT_SMALL);
    fat = await mountFat32(fatPath, { sizeMiB: 40 });
    const common = { mqttUrl: coordinator.mqttUrl, httpUrl: coordinator.httpUrl };
    [agent, fatAgent] = await Promise.all([
      // Slow enough that another writer can fill the device while a 3 MiB file is copied.
      startAgent({
        ...common,
        token: coordinator.token,
        agentId: 'host-full',
        mountRoot,
        bwLimit: 2 * 1024 * 1024,
      }),
      startAgent({
        ...common,
        token: coordinator.token,
        agentId: 'host-full-fat',
        mountRoot: fatRoot,
      }),
    ]);
    await waitForDevice(api, SMALL, true);
    await waitForDevice(api, FAT_SMALL, true);
  });

  afterAll(async () => {
    await agent?.stop();
    await fatAgent?.stop();
    await coordinator?.stop();
    await tmpfs?.unmount();
    await fat?.unmount();
  });

  it('refuses with 1004 up front, writing nothing, a meeting larger than the free space', async () => {
    const batchId = await runBatch(['too-big'], SMALL);

    expect(await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 })).toMatchObject({
      status: 'failed',
      statusCounts: { pending: 0, running: 0, completed: 0, failed: 1 },
    });
    expect((await api.getTasks(batchId)).tasks).toEqual([deviceFull('too-big', SMALL)]);
    expect(await entriesOf(tmpfsPath)).toEqual([]);
    const failed = agent.proc.records.find((r) => r.msg === 'copy failed');
    expect(failed?.errorDetail).toMatch(/^needs 6291456 bytes, \d+ free$/);
  });

  it('fails with 1004 and removes the partial file when another writer fills the device mid-copy', async () => {
    const batchId = await runBatch(['slow-fill'], SMALL);
    const meetingDir = path.join(tmpfsPath, 'meetings', 'slow-fill');
    await waitForPartFile(meetingDir, 'slides.pptx', 512 * 1024);

    const { bavail, bsize } = await statfs(tmpfsPath);
    await writeFile(path.join(tmpfsPath, 'filler.bin'), Buffer.alloc(bavail * bsize)).catch(
      () => undefined,
    );

    expect(await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 })).toMatchObject({ status: 'failed' });
    const [task] = (await api.getTasks(batchId)).tasks;
    expect(task).toEqual(deviceFull('slow-fill', SMALL));
    expect(await entriesOf(meetingDir)).toEqual([]);
    const failed = agent.proc.records.filter((r) => r.msg === 'copy failed').at(-1);
    expect(failed?.errorDetail).toContain('ENOSPC');
    await writeFile(path.join(tmpfsPath, 'filler.bin'), '');
  });

  it('copies the first of two meetings that do not fit together and refuses the second with 1004', async () => {
    const batchId = await runBatch(['first-half', 'second-half'], SMALL);

    expect(await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 })).toMatchObject({
      status: 'partial_failed',
      createdCount: 2,
      statusCounts: { pending: 0, running: 0, completed: 1, failed: 1 },
    });
    const { tasks } = await api.getTasks(batchId);
    const done = tasks.find((t) => t.status === 'completed')!;
    const refused = tasks.find((t) => t.status === 'failed')!;
    expect(refused).toEqual(deviceFull(refused.meetingId, SMALL));
    await compareTrees(
      path.join(coordinator.meetingsDir, done.meetingId),
      path.join(tmpfsPath, 'meetings', done.meetingId),
    );
    expect(await entriesOf(path.join(tmpfsPath, 'meetings', refused.meetingId))).toEqual([]);
    expect(await partFiles(tmpfsPath)).toEqual([]);
  });

  it('fails with 1004 when a FAT32 image (no free space reported by fusefat) fills up during the copy', async () => {
    const before = await waitForDevice(api, FAT_SMALL, true);
    expect(before.fsType).toBe('fuse.fusefat');
    expect(before.freeBytes).toBeUndefined();

    const batchId = await runBatch(['fat-overflow'], FAT_SMALL);

    expect(await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 })).toMatchObject({ status: 'failed' });
    expect((await api.getTasks(batchId)).tasks).toEqual([deviceFull('fat-overflow', FAT_SMALL)]);
    const meetingDir = path.join(fatPath, 'meetings', 'fat-overflow');
    expect(await listFiles(meetingDir)).toEqual(['agenda.pdf']);
    expect(await partFiles(fatPath)).toEqual([]);
  });
});
