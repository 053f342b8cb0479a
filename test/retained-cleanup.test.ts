/**
 * MQTT tools show no ghosts: a device gone for good and a revoked agent leave no retained
 * message behind. Checked the way an operator would, with a fresh diagnostics subscriber.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ApiClient, pollUntil, sleep } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { spawnProcess } from './helpers/processes.js';
import { startAgent, startCoordinator, tempDir } from './helpers/system.js';

const DIAG = { username: 'wst-diag', password: 'diag-secret-2' };

/** Every retained message a new subscriber to wst/v1/# receives at once. */
async function retained(url: string): Promise<Map<string, string>> {
  const client = await mqtt.connectAsync(url, { ...DIAG, clientId: `diag-${Math.random()}`, reconnectPeriod: 0 });
  const seen = new Map<string, string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) seen.set(topic, payload.toString());
  });
  await client.subscribeAsync('wst/v1/#');
  await sleep(300);
  await client.endAsync();
  return seen;
}

describe('retained topics', () => {
  it('clears a device that stays away past the grace period, and a revoked agent', async () => {
    const coordinator = await startCoordinator({
      env: { WST_DIAG_USERNAME: DIAG.username, WST_DIAG_PASSWORD: DIAG.password },
    });
    const api = new ApiClient(coordinator.httpUrl);
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, 'DEV1');
    await makeDeviceDir(mountRoot, 'DEV2');
    const cli = spawnProcess({
      name: 'agents-cli',
      entry: 'coordinator/main.ts',
      args: ['agents', 'add', 'host-a', '--data-dir', coordinator.dataDir],
    });
    await cli.exited;
    const token = cli.lines.map((l) => l.text.trim()).find((t) => /^[A-Za-z0-9_-]{40,}$/.test(t))!;
    await sleep(1500);
    const agent = await startAgent({
      mqttUrl: coordinator.mqttUrl,
      httpUrl: coordinator.httpUrl,
      token,
      agentId: 'host-a',
      mountRoot,
      env: { WST_DEVICE_GRACE_MS: '1000' },
    });
    await pollUntil(
      () => retained(coordinator.mqttUrl),
      (seen) => seen.has('wst/v1/agents/host-a/devices/DEV1') && seen.has('wst/v1/agents/host-a/devices/DEV2'),
      { timeoutMs: 10_000, description: 'both devices retained' },
    );

    await rm(path.join(mountRoot, 'DEV1'), { recursive: true });
    const afterRemoval = await pollUntil(
      () => retained(coordinator.mqttUrl),
      (seen) => !seen.has('wst/v1/agents/host-a/devices/DEV1'),
      { timeoutMs: 10_000, intervalMs: 300, description: 'DEV1 forgotten' },
    );
    expect(afterRemoval.has('wst/v1/agents/host-a/devices/DEV2')).toBe(true);
    const all = await api.request('GET', '/api/v1/mount/devices?all=true');
    expect(JSON.stringify(all.body)).not.toContain('DEV1');

    const revoke = spawnProcess({
      name: 'agents-cli',
      entry: 'coordinator/main.ts',
      args: ['agents', 'revoke', 'host-a', '--data-dir', coordinator.dataDir],
    });
    await revoke.exited;
    const afterRevoke = await pollUntil(
      () => retained(coordinator.mqttUrl),
      (seen) => [...seen.keys()].every((topic) => !topic.startsWith('wst/v1/agents/host-a/')),
      { timeoutMs: 10_000, intervalMs: 300, description: 'host-a forgotten' },
    );
    expect(afterRevoke.size).toBe(0);
    await agent.stop('SIGKILL');
  }, 60_000);
});
