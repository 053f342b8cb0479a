/**
 * Issue 3 from the coordinator's side: the coordinator killed mid-creation and mid-copy, an agent
 * that never comes back, a damaged store file, and a broker link that drops. Real processes,
 * SIGKILL, real files.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient, pollUntil, readSse } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { compareTrees, makeMeeting } from './helpers/library.js';
import { startAgent, startAgentFor, startCoordinator, tempDir, type Coordinator } from './helpers/system.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';


async function systemWithDevices(serials: string[], coordinatorEnv = {}, agentEnv = {}) {
  const coordinator = await startCoordinator({
    env: { WST_DEVICE_SETTLE_MS: '500', ...coordinatorEnv },
  });
  const mountRoot = await tempDir('wst-mounts-');
  for (const serial of serials) await makeDeviceDir(mountRoot, serial);
  const agent = await startAgentFor(coordinator, {
    agentId: 'host-a',
    mountRoot,
    ...agentEnv,
  });
  const api = new ApiClient(coordinator.httpUrl);
  await api.waitForDevices(serials.length);
  return { coordinator, agent, mountRoot, api };
}


describe('coordinator faults', () => {
  it('resumes creating a 50 × 20 batch after a SIGKILL mid-creation: one subtask per pair, each run once', async () => {
    const serials = Array.from({ length: 20 }, (_, i) => `DEV${String(i).padStart(3, '0')}`);
    const meetings = Array.from({ length: 50 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    let { coordinator, agent, mountRoot, api } = await systemWithDevices(
      serials,
      { WST_CREATE_CHUNK_SIZE: '5' },
      // 1000 tiny copies: one per device at once, not the USB-friendly default of 2 per host.
      { env: { WST_MAX_PARALLEL_COPIES: '20' } },
    );
    for (const meeting of meetings) {
      await makeMeeting(coordinator.meetingsDir, meeting, { 'a.txt': `${meeting}\n` });
    }

    const { batchId } = await api.createBatch({ meetingIds: meetings, serialNumbers: serials });
    const partway = await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.createdCount > 0,
      { timeoutMs: 10_000, intervalMs: 5, description: 'creation to start' },
    );
    // After the restart, creation must wait for host-a to report its devices again, however slow.
    coordinator = await coordinator.restart({
      signal: 'SIGKILL',
      env: { WST_CREATE_CHUNK_SIZE: '5', WST_DEVICE_SETTLE_MS: '30000' },
    });
    api = new ApiClient(coordinator.httpUrl);
    const afterKill = await api.getStatus(batchId);

    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 90_000 });

    expect(partway.createdCount).toBeLessThan(1000);
    expect(afterKill.createdCount).toBeLessThan(1000);
    expect(final).toMatchObject({
      status: 'completed',
      createdCount: 1000,
      statusCounts: { pending: 0, running: 0, completed: 1000, failed: 0 },
    });
    const { tasks } = await api.getTasks(batchId);
    const pairs = new Set(tasks.map((t) => `${t.meetingId}|${t.serialNumber}`));
    expect(pairs.size).toBe(1000);
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(1000);

    const runs = new Map<string, number>();
    for (const line of agent.proc.lines) {
      if (line.json?.msg === 'copy started') {
        const taskId = String(line.json.taskId);
        runs.set(taskId, (runs.get(taskId) ?? 0) + 1);
      }
    }
    expect(runs.size).toBe(1000);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    for (const serial of serials) {
      expect((await readdir(path.join(mountRoot, serial, 'meetings'))).length).toBe(50);
    }
  }, 120_000);

  it('keeps agents copying through a coordinator SIGKILL and ends the batch with the true counts', async () => {
    let { coordinator, agent, mountRoot, api } = await systemWithDevices(['DEV1', 'DEV2'], {}, {
      bwLimit: 8 * 1024 * 1024,
    });
    await makeMeeting(coordinator.meetingsDir, 'big', { 'video.mp4': 16_000_000 });

    const { batchId } = await api.createBatch({ meetingIds: ['big'], serialNumbers: ['DEV1', 'DEV2'] });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.statusCounts.running === 2,
      { timeoutMs: 10_000, intervalMs: 50, description: 'both copies running' },
    );
    await coordinator.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    coordinator = await coordinator.restart();
    api = new ApiClient(coordinator.httpUrl);
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });

    expect(final).toMatchObject({
      status: 'completed',
      statusCounts: { pending: 0, running: 0, completed: 2, failed: 0 },
    });
    const resumed = agent.proc.lines.filter((l) => l.json?.msg === 'copy started');
    expect(resumed).toHaveLength(2);
    expect(agent.proc.lines.some((l) => l.json?.msg === 'copy failed')).toBe(false);
    for (const serial of ['DEV1', 'DEV2']) {
      await compareTrees(
        path.join(coordinator.meetingsDir, 'big'),
        path.join(mountRoot, serial, 'meetings', 'big'),
      );
    }
  }, 60_000);

  it("fails an agent's unfinished subtasks with 1005 when it does not come back in time", async () => {
    const { coordinator, agent, api } = await systemWithDevices(
      ['DEV1'],
      { WST_AGENT_LOST_TIMEOUT_MS: '1500', WST_AUTO_RETRY_ATTEMPTS: '0' },
      { bwLimit: 2 * 1024 * 1024 },
    );
    await makeMeeting(coordinator.meetingsDir, 'big', { 'video.mp4': 20_000_000 });
    const { batchId } = await api.createBatch({ meetingIds: ['big'], serialNumbers: ['DEV1'] });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.statusCounts.running === 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    await agent.stop('SIGKILL');
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 15_000 });

    expect(final.status).toBe('failed');
    const [task] = (await api.getTasks(batchId)).tasks;
    expect(task).toMatchObject({ status: 'failed', errorCode: 1005, errorMessage: '代理无响应' });
    const devices = await api.request('GET', '/api/v1/mount/devices');
    expect((devices.body as { data: { total: number } }).data.total).toBe(0);
  }, 40_000);

  it('keeps the subtask of an agent that comes back before the timeout, and completes it', async () => {
    let { coordinator, agent, mountRoot, api } = await systemWithDevices(
      ['DEV1'],
      { WST_AGENT_LOST_TIMEOUT_MS: '20000' },
      { bwLimit: 4 * 1024 * 1024 },
    );
    await makeMeeting(coordinator.meetingsDir, 'big', { 'video.mp4': 8_000_000 });
    const { batchId } = await api.createBatch({ meetingIds: ['big'], serialNumbers: ['DEV1'] });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.statusCounts.running === 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    agent = await agent.restart({ signal: 'SIGKILL' });
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });

    expect(final.status).toBe('completed');
    await compareTrees(
      path.join(coordinator.meetingsDir, 'big'),
      path.join(mountRoot, 'DEV1', 'meetings', 'big'),
    );
  }, 60_000);

  it('sets a damaged store file aside with a log line and starts from the last good copy', async () => {
    let { coordinator, api } = await systemWithDevices(['DEV1']);
    await makeMeeting(coordinator.meetingsDir, 'small', { 'a.txt': 'hello' });
    const { batchId } = await api.createBatch({ meetingIds: ['small'], serialNumbers: ['DEV1'] });
    await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });
    await coordinator.stop();

    const file = path.join(coordinator.dataDir, 'batches', `${batchId}.json`);
    await writeFile(file, '{"batchId": "' + batchId + '", "subta');
    coordinator = await coordinator.restart();
    api = new ApiClient(coordinator.httpUrl);

    const damage = coordinator.proc.lines.find((l) => l.json?.msg === 'store file damaged and set aside');
    expect(damage?.json).toMatchObject({ file, recovered: true });
    expect((await api.getStatus(batchId)).batchId).toBe(batchId);
    const names = await readdir(path.join(coordinator.dataDir, 'batches'));
    expect(names.some((n) => n.startsWith(`${batchId}.json.damaged-`))).toBe(true);
  }, 40_000);

  it('delivers state changes made while the broker link was cut, in order, and SSE catches up', async () => {
    const coordinator: Coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
    const api = new ApiClient(coordinator.httpUrl);
    const mqttPort = Number(new URL(coordinator.mqttUrl).port);
    const link = await startTcpProxy(mqttPort);
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, 'DEV1');
    await makeMeeting(coordinator.meetingsDir, 'big', { 'video.mp4': 12_000_000 });
    await makeMeeting(coordinator.meetingsDir, 'small', { 'a.txt': 'hello' });
    await startAgent({
      mqttUrl: link.urlFor(coordinator.mqttUrl),
      httpUrl: coordinator.httpUrl,
      token: coordinator.token,
      agentId: 'host-a',
      mountRoot,
      bwLimit: 6 * 1024 * 1024,
    });
    await api.waitForDevices(1);

    const { batchId } = await api.createBatch({ meetingIds: ['big', 'small'], serialNumbers: ['DEV1'] });
    const running = await pollUntil(
      () => api.getTasks(batchId),
      (t) => t.tasks.length === 2 && t.tasks[0]!.status === 'running',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const sse = readSse(api.progressUrl(running.tasks[1]!.taskId!, 'DEV1'), { timeoutMs: 30_000 });

    link.cut();
    await pollUntil(
      async () => (await readdir(path.join(mountRoot, 'DEV1', 'meetings')).catch(() => [])).length,
      (n) => n === 2,
      { timeoutMs: 15_000, description: 'both meetings copied while cut' },
    );
    const whileCut = await api.getStatus(batchId);
    link.restore();
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000 });
    const stream = await sse.done;
    await link.close();

    expect(whileCut.statusCounts.completed).toBe(0);
    expect(final).toMatchObject({ status: 'completed', statusCounts: { completed: 2 } });
    expect(stream.frames.map((f) => f.event).at(-1)).toBe('completed');
    expect(stream.reason).toBe('end');
    for (const task of running.tasks) {
      const applied = coordinator.proc.lines
        .filter((l) => l.json?.msg === 'task state' && l.json.taskId === task.taskId)
        .map((l) => l.json!.state);
      expect(applied).toEqual(['accepted', 'running', 'completed']);
    }
  }, 60_000);
});
