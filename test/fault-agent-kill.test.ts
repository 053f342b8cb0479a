/**
 * Issue 3, the agent dies: a real agent process is SIGKILLed in the middle of a 200 MiB file and
 * started again on the same journal. The task resumes under the same taskId, files already
 * verified on the device are not copied again, and no temporary file is left.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { partFiles, waitForPartFile } from './helpers/faults.js';
import { compareTrees } from './helpers/library.js';
import { startSite } from './helpers/site.js';
import type { Agent, Coordinator } from './helpers/system.js';

const SERIAL = 'WST300LX1000810';
const MEETING = 'town-hall-2026';
const BIG = 200 * 1024 * 1024;
const FILES = { 'agenda.pdf': 1_000_000, 'recording.mp4': BIG, 'slides/deck.pptx': 2_000_000 };
const PACKAGE_SIZE = 1_000_000 + BIG + 2_000_000;

describe('agent killed mid-copy', () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let mountRoot: string;

  beforeAll(async () => {
    ({ coordinator, api, agent, mountRoot } = await startSite({
      meetings: { [MEETING]: FILES },
      devices: [SERIAL],
      // 48 MiB/s: one pass over the recording takes about 4 s, a wide window to kill in.
      agent: { agentId: 'host-kill', bwLimit: 48 * 1024 * 1024 },
    }));
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
  });

  it('resumes the same taskId after SIGKILL without recopying verified files, and leaves no .wst-part', async () => {
    const meetingDir = path.join(mountRoot, SERIAL, 'meetings', MEETING);
    const { batchId } = await api.createBatch({ meetingIds: [MEETING], serialNumbers: [SERIAL] });
    const part = await waitForPartFile(meetingDir, 'recording.mp4', 40 * 1024 * 1024);
    const agendaBefore = await stat(path.join(meetingDir, 'agenda.pdf'));

    const killed = await agent.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const partAtKill = (await stat(part)).size;
    expect(partAtKill).toBeGreaterThan(0);
    expect(partAtKill).toBeLessThan(BIG);
    const { tasks: during } = await api.getTasks(batchId);
    expect(during[0]).toMatchObject({ status: 'running' });
    const taskId = during[0]!.taskId!;

    agent = await agent.restart();
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 200, description: 'batch to end' });

    expect(final).toMatchObject({
      status: 'completed',
      totalCount: 1,
      createdCount: 1,
      statusCounts: { pending: 0, running: 0, completed: 1, failed: 0 },
    });
    const { tasks } = await api.getTasks(batchId);
    expect(tasks).toEqual([
      expect.objectContaining({
        taskId,
        status: 'completed',
        packageSize: PACKAGE_SIZE,
        fileCount: 3,
      }),
    ]);

    // The agenda was verified before the kill: the same file, never written again.
    const agendaAfter = await stat(path.join(meetingDir, 'agenda.pdf'));
    expect([agendaAfter.ino, agendaAfter.mtimeMs]).toEqual([
      agendaBefore.ino,
      agendaBefore.mtimeMs,
    ]);
    // The restarted process took the task from its journal and planned around what was there.
    const logs = agent.proc.records.filter((r) => r.taskId === taskId);
    expect(logs[0]).toMatchObject({ msg: 'copy started', batchId });
    // Small files run alongside the big one, so how many finished before the kill varies; the
    // cut recording is always copied again and everything verified before is skipped.
    const planned = logs.find((r) => r.msg === 'copy planned')!;
    expect(Number(planned.skippedFiles) + Number(planned.copyFiles)).toBe(3);
    expect(planned.skippedFiles).toBeGreaterThanOrEqual(1);
    expect(planned.bytesToCopy).toBeGreaterThanOrEqual(BIG);
    expect(logs.find((r) => r.msg === 'removed temporary files of an earlier copy')).toMatchObject({
      files: ['.recording.mp4.wst-part'],
    });
    expect(logs.find((r) => r.msg === 'copy completed')).toMatchObject({
      skippedFiles: planned.skippedFiles,
    });

    await compareTrees(path.join(coordinator.meetingsDir, MEETING), meetingDir);
    expect(await partFiles(path.join(mountRoot, SERIAL))).toEqual([]);
  });
});
