/**
 * Issue 3, the device goes away mid-copy: a device directory is moved out from under a running
 * copy, and the mount root itself disappears. Within `WST_DEVICE_GRACE_MS` the task waits for the
 * same serial number to come back (under any directory name) and resumes; after it, 1003.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { allDevices, partFiles, waitForDevice, waitForPartFile } from './helpers/faults.js';
import { compareTrees, makeMeeting } from './helpers/library.js';
import {
  startAgentFor,
  startCoordinator,
  tempDir,
  type Agent,
  type Coordinator,
} from './helpers/system.js';

const MEETING = 'quarterly-review';
const SMALL_MEETING = 'short-notice';
describe('device removed mid-copy', () => {
  let coordinator: Coordinator;
  let api: ApiClient;
  let parking: string;
  const agents: Agent[] = [];

  async function agentWithGrace(agentId: string, graceMs: number): Promise<Agent> {
    const agent = await startAgentFor(coordinator, {
      agentId,
      mountRoot: await tempDir('wst-mounts-'),
      bwLimit: 8 * 1024 * 1024,
      env: { WST_DEVICE_GRACE_MS: String(graceMs) },
    });
    agents.push(agent);
    return agent;
  }


  beforeAll(async () => {
    coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
    api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, MEETING, {
      'agenda.pdf': 300_000,
      'video.mp4': 24_000_000,
      'zz-minutes.docx': 100_000,
    });
    await makeMeeting(coordinator.meetingsDir, SMALL_MEETING, { 'notice.txt': 'tomorrow 9:00' });
    parking = await tempDir('wst-parking-');
  });

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await coordinator?.stop();
  });

  it('resumes and completes when the same serial number comes back under another directory name within the grace', async () => {
    const serial = 'WST300LX1000701';
    const agent = await agentWithGrace('host-grace', 20_000);
    const firstPath = await makeDeviceDir(agent.mountRoot, 'usb-port-1', serial);
    await waitForDevice(api, serial, true);

    const { batchId } = await api.createBatch({ meetingIds: [MEETING], serialNumbers: [serial] });
    const meetingDir = (mount: string) => path.join(mount, 'meetings', MEETING);
    await waitForPartFile(meetingDir(firstPath), 'video.mp4', 2_000_000);
    const agendaBefore = await stat(path.join(meetingDir(firstPath), 'agenda.pdf'));

    // Pulled out: the directory leaves the mount root, and the coordinator sees it offline.
    await rename(firstPath, path.join(parking, 'usb-port-1'));
    await waitForDevice(api, serial, false);
    expect((await api.getTasks(batchId)).tasks[0]).toMatchObject({ status: 'running' });

    // Plugged into another port: same device.json, another directory name.
    const secondPath = path.join(agent.mountRoot, 'usb-port-4');
    await rename(path.join(parking, 'usb-port-1'), secondPath);
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });

    expect(final).toMatchObject({
      status: 'completed',
      createdCount: 1,
      statusCounts: { pending: 0, running: 0, completed: 1, failed: 0 },
    });
    expect((await waitForDevice(api, serial, true)).mountPath).toBe(secondPath);
    await compareTrees(path.join(coordinator.meetingsDir, MEETING), meetingDir(secondPath));
    expect(await partFiles(secondPath)).toEqual([]);
    const agendaAfter = await stat(path.join(meetingDir(secondPath), 'agenda.pdf'));
    expect([agendaAfter.ino, agendaAfter.mtimeMs]).toEqual([
      agendaBefore.ino,
      agendaBefore.mtimeMs,
    ]);
    const messages = agent.proc.records.map((r) => r.msg);
    expect(messages).toContain('device went away, waiting for it to return');
    expect(messages).toContain('device came back, copy queued again');
    // What was verified before the device left is skipped (small files run alongside the big
    // one, so how many varies); the agenda's unchanged inode above proves it was not rewritten.
    const planned = agent.proc.records.filter((r) => r.msg === 'copy planned').at(-1)!;
    expect(planned.skippedFiles).toBeGreaterThanOrEqual(1);
  });

  it('fails with 1003 设备已断开 when the device is not back within a 1500 ms grace', async () => {
    const serial = 'WST300LX1000702';
    const agent = await agentWithGrace('host-short-grace', 1500);
    const mountPath = await makeDeviceDir(agent.mountRoot, serial);
    await waitForDevice(api, serial, true);

    const { batchId } = await api.createBatch({ meetingIds: [MEETING], serialNumbers: [serial] });
    await waitForPartFile(path.join(mountPath, 'meetings', MEETING), 'video.mp4', 1_000_000);
    await rename(mountPath, path.join(parking, serial));
    const removedAt = Date.now();
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });
    const waited = Date.now() - removedAt;

    expect(final).toMatchObject({
      status: 'failed',
      createdCount: 1,
      statusCounts: { pending: 0, running: 0, completed: 0, failed: 1 },
    });
    expect((await api.getTasks(batchId)).tasks).toEqual([
      expect.objectContaining({
        serialNumber: serial,
        status: 'failed',
        errorCode: 1003,
        errorMessage: '设备已断开',
      }),
    ]);
    expect(waited).toBeGreaterThanOrEqual(1500);
    expect(waited).toBeLessThan(10_000);
  });

  it('finds the devices again when the mount root itself is removed and created again', async () => {
    const agent = agents.find((a) => a.agentId === 'host-short-grace')!;
    const root = agent.mountRoot;
    // The device of the test before comes back, plus one more under a port name.
    await rename(path.join(parking, 'WST300LX1000702'), path.join(root, 'WST300LX1000702'));
    await makeDeviceDir(root, 'usb-port-2', 'WST300LX1000703');
    await waitForDevice(api, 'WST300LX1000702', true);
    await waitForDevice(api, 'WST300LX1000703', true);

    await rename(root, path.join(parking, 'old-root'));
    await waitForDevice(api, 'WST300LX1000702', false);
    await waitForDevice(api, 'WST300LX1000703', false);

    await mkdir(root);
    await rename(path.join(parking, 'old-root', 'usb-port-2'), path.join(root, 'usb-port-2'));
    await rename(
      path.join(parking, 'old-root', 'WST300LX1000702'),
      path.join(root, 'WST300LX1000702'),
    );
    await waitForDevice(api, 'WST300LX1000702', true);
    await waitForDevice(api, 'WST300LX1000703', true);

    const online = (await api.request('GET', '/api/v1/mount/devices')).body as {
      data: { devices: { serialNumber: string; mountPath: string }[] };
    };
    expect(online.data.devices.filter((d) => d.mountPath.startsWith(root))).toEqual([
      expect.objectContaining({
        serialNumber: 'WST300LX1000702',
        mountPath: path.join(root, 'WST300LX1000702'),
      }),
      expect.objectContaining({
        serialNumber: 'WST300LX1000703',
        mountPath: path.join(root, 'usb-port-2'),
      }),
    ]);
    expect((await allDevices(api)).length).toBeGreaterThanOrEqual(3);

    // And work reaches a device under the new root.
    const { batchId } = await api.createBatch({
      meetingIds: [SMALL_MEETING],
      serialNumbers: ['WST300LX1000703'],
    });
    expect(await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 })).toMatchObject({ status: 'completed' });
    await compareTrees(
      path.join(coordinator.meetingsDir, SMALL_MEETING),
      path.join(root, 'usb-port-2', 'meetings', SMALL_MEETING),
    );
  });
});
