/**
 * The embedded broker speaking MQTT over TLS: an agent that trusts the CA copies a meeting; a
 * client that does not, or that speaks plain MQTT, gets nowhere.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { compareTrees, makeMeeting } from './helpers/library.js';
import { which } from './helpers/mount-tools.js';
import { startAgentFor, startCoordinator, tempDir } from './helpers/system.js';

const OPENSSL = which('openssl');

function connectFails(url: string, options: mqtt.IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options });
    client.once('connect', () => {
      client.end(true);
      resolve('connected');
    });
    client.once('error', (error) => {
      client.end(true);
      resolve(error.message);
    });
    client.once('close', () => resolve('closed'));
  });
}

describe.skipIf(!OPENSSL && process.env.CI !== 'true')('MQTT over TLS', () => {
  it('lets an agent that trusts the CA copy over mqtts, and nobody in without TLS or trust', async () => {
    const dir = await tempDir('wst-tls-');
    const cert = path.join(dir, 'broker.pem');
    const key = path.join(dir, 'broker.key');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=wst-broker',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });

    const coordinator = await startCoordinator({
      env: { WST_MQTT_TLS_CERT: cert, WST_MQTT_TLS_KEY: key, WST_DEVICE_SETTLE_MS: '0' },
    });
    expect(coordinator.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'm1', { 'agenda.pdf': 300_000 });
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, 'DEV1');
    await startAgentFor(coordinator, {
      agentId: 'host-a',
      mountRoot,
      env: { WST_MQTT_CA: cert },
    });
    await api.waitForDevices(1, { timeoutMs: 15_000, description: 'the device online over mqtts' });

    const { batchId } = await api.createBatch({ meetingIds: ['m1'], serialNumbers: ['DEV1'] });
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 20_000, intervalMs: 100 });
    expect(final.status).toBe('completed');
    await compareTrees(path.join(coordinator.meetingsDir, 'm1'), path.join(mountRoot, 'DEV1', 'meetings', 'm1'));

    const port = new URL(coordinator.mqttUrl).port;
    const credentials = { clientId: 'wst-agent-host-b', username: 'host-b', password: coordinator.token };
    expect(await connectFails(`mqtts://127.0.0.1:${port}`, credentials)).toMatch(/self.signed|certificate/i);
    expect(await connectFails(`mqtt://127.0.0.1:${port}`, credentials)).not.toBe('connected');
  }, 60_000);
});
