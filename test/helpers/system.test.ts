import { describe, expect, it } from 'vitest';
import { startAgent, startCoordinator } from './system.js';

const coordinatorEntry = 'test/helpers/fixtures/fake-coordinator.ts';
const agentEntry = 'test/helpers/fixtures/fake-agent.ts';

describe('process harness (against stand-in processes)', () => {
  it('starts a coordinator on free ports and reads its ready line', async () => {
    const coordinator = await startCoordinator({ entry: coordinatorEntry });

    expect(coordinator.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(coordinator.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(coordinator.token).toMatch(/^[0-9a-f]{48}$/);
    const response = await fetch(`${coordinator.httpUrl}/ping`);
    expect(await response.json()).toEqual({
      code: 200,
      data: { env: coordinator.dataDir, url: '/ping' },
    });

    const lines = coordinator.proc.lines;
    expect(lines.some((l) => l.text === 'plain text line before ready' && !l.json)).toBe(true);
    expect(lines.some((l) => l.stream === 'stderr' && l.text === 'a line on stderr')).toBe(true);
    expect(await coordinator.stop()).toEqual({ code: 0, signal: null });
  });

  it('restarts on the same ports, dirs and token', async () => {
    const first = await startCoordinator({ entry: coordinatorEntry });
    const second = await first.restart();

    expect(first.proc.alive).toBe(false);
    expect(second).toMatchObject({
      httpUrl: first.httpUrl,
      mqttUrl: first.mqttUrl,
      token: first.token,
      dataDir: first.dataDir,
      meetingsDir: first.meetingsDir,
    });
    await second.stop();
  });

  it('turns an ignored SIGTERM into SIGKILL after the grace period', async () => {
    const coordinator = await startCoordinator({
      entry: coordinatorEntry,
      env: { FAKE_IGNORE_SIGTERM: '1' },
    });
    const info = await coordinator.proc.kill('SIGTERM', 500);

    expect(info).toEqual({ code: null, signal: 'SIGKILL' });
    expect(coordinator.proc.records.map((r) => r.msg)).toContain('stopping');
  });

  it('fails a wait at once, with the output, when the process exits first', async () => {
    const coordinator = await startCoordinator({
      entry: coordinatorEntry,
      env: { FAKE_CRASH_AFTER_READY: '1' },
    });

    await expect(coordinator.proc.waitForMessage('never printed', 10_000)).rejects.toThrow(
      /exited \(code 3, signal null\)[\s\S]*coordinator ready/,
    );
  });

  it('starts an agent with the coordinator settings and waits for its ready line', async () => {
    const coordinator = await startCoordinator({ entry: coordinatorEntry });
    const agent = await startAgent({
      mqttUrl: coordinator.mqttUrl,
      httpUrl: coordinator.httpUrl,
      token: coordinator.token,
      agentId: 'a1',
      entry: agentEntry,
    });

    expect(agent.ready).toMatchObject({
      msg: 'agent ready',
      agentId: 'a1',
      mountRoot: agent.mountRoot,
      bwLimit: '0',
    });
    const again = await agent.restart({ signal: 'SIGKILL' });
    expect(again.ready).toMatchObject({ agentId: 'a1', mountRoot: agent.mountRoot });
    expect(again.dataDir).toBe(agent.dataDir);
  });
});
