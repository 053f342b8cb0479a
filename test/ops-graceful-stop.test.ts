/**
 * Issue 8, operations: what `systemctl stop` does to an agent mid-copy. systemd sends SIGTERM
 * (KillSignal=SIGTERM) and waits TimeoutStopSec; the agent must exit cleanly well within that, and
 * the interrupted task must resume under the same taskId when the service starts again.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { partFiles, waitForPartFile } from './helpers/faults.js';
import { compareTrees } from './helpers/library.js';
import { startSite } from './helpers/site.js';
import type { Agent, Coordinator } from './helpers/system.js';

const SERIAL = 'WST300LX1000970';
const MEETING = 'all-hands';
const BIG = 48 * 1024 * 1024;

describe('agent stopped by SIGTERM mid-copy', () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let mountRoot: string;

  beforeAll(async () => {
    ({ coordinator, api, agent, mountRoot } = await startSite({
      meetings: { [MEETING]: { 'intro.pdf': 500_000, 'recording.mp4': BIG } },
      devices: [SERIAL],
      agent: { agentId: 'host-term', bwLimit: 16 * 1024 * 1024 },
    }));
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
  });

  it('exits 0 within 5 s and resumes the same task on the next start', async () => {
    const meetingDir = path.join(mountRoot, SERIAL, 'meetings', MEETING);
    const { batchId } = await api.createBatch({ meetingIds: [MEETING], serialNumbers: [SERIAL] });
    await waitForPartFile(meetingDir, 'recording.mp4', 4 * 1024 * 1024);
    const { tasks: during } = await api.getTasks(batchId);
    const taskId = during[0]!.taskId!;

    const sentAt = Date.now();
    // A grace above the agent's own stop limit: a slow stop shows as exit code 1, not SIGKILL.
    const exit = await agent.stop('SIGTERM');
    const stopMs = Date.now() - sentAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(5_000);
    expect(agent.proc.records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(['agent stopping', 'agent stopped']),
    );
    // Not failed: the coordinator keeps the subtask for the agent to resume.
    expect((await api.getTasks(batchId)).tasks[0]).toMatchObject({ taskId, status: 'running' });

    agent = await agent.restart();
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 20_000, intervalMs: 200, description: 'batch to end' });

    expect(final.status).toBe('completed');
    expect((await api.getTasks(batchId)).tasks[0]).toMatchObject({ taskId, status: 'completed' });
    const resumed = agent.proc.records.filter((r) => r.taskId === taskId);
    expect(resumed.find((r) => r.msg === 'copy planned')).toMatchObject({ skippedFiles: 1 });
    await compareTrees(path.join(coordinator.meetingsDir, MEETING), meetingDir);
    expect(await partFiles(path.join(mountRoot, SERIAL))).toEqual([]);
  });
});
