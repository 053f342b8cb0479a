/**
 * The backbone against a real Mosquitto: the coordinator starts no broker and speaks to it as an
 * ordinary MQTT client; agents authenticate from a password file and stay in their ACL lanes.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { compareTrees, makeMeeting } from './helpers/library.js';
import { mosquittoBinary, startMosquitto, type Mosquitto } from './helpers/mosquitto.js';
import { startAgent, startCoordinator, tempDir } from './helpers/system.js';

const MOSQUITTO = mosquittoBinary();
const skip = !MOSQUITTO.ok && process.env.CI !== 'true';

describe.skipIf(skip)(`external broker (mosquitto)${MOSQUITTO.ok ? '' : `: ${MOSQUITTO.reason}`}`, () => {
  let mosquitto: Mosquitto | undefined;
  afterAll(async () => {
    await mosquitto?.stop();
  });

  it('copies 2 meetings onto 2 devices, with one absent, through Mosquitto', async () => {
    const agentToken = 'shared-agent-token-for-mosquitto';
    const coordinatorPassword = 'coordinator-password';
    mosquitto = await startMosquitto(await tempDir('wst-mosquitto-'), {
      'wst-coordinator': coordinatorPassword,
      'host-a': agentToken,
    });

    const coordinator = await startCoordinator({
      token: agentToken,
      env: {
        WST_MQTT_URL: mosquitto.url,
        WST_MQTT_USERNAME: 'wst-coordinator',
        WST_MQTT_PASSWORD: coordinatorPassword,
        WST_DEVICE_SETTLE_MS: '0',
      },
    });
    expect(coordinator.ready).toMatchObject({ embeddedBroker: false, mqttUrl: mosquitto.url });
    const api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'board', { 'agenda.pdf': 120_000, 'deck/q4.pptx': 900_000 });
    await makeMeeting(coordinator.meetingsDir, 'review', { 'recording.mp4': 3_000_000 });
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, 'DEV1');
    await makeDeviceDir(mountRoot, 'DEV2');
    await startAgent({
      mqttUrl: mosquitto.url,
      httpUrl: coordinator.httpUrl,
      token: agentToken,
      agentId: 'host-a',
      mountRoot,
    });
    await api.waitForDevices(2, { timeoutMs: 15_000, description: 'two devices online through mosquitto' });

    const { batchId } = await api.createBatch({
      meetingIds: ['board', 'review'],
      serialNumbers: ['DEV1', 'DEV2', 'ABSENT'],
    });
    const final = await api.waitForBatchEnd(batchId, { timeoutMs: 30_000, intervalMs: 100 });

    expect(final).toMatchObject({
      status: 'partial_failed',
      statusCounts: { completed: 4, failed: 2, pending: 0, running: 0 },
    });
    for (const device of ['DEV1', 'DEV2']) {
      for (const meeting of ['board', 'review']) {
        await compareTrees(
          path.join(coordinator.meetingsDir, meeting),
          path.join(mountRoot, device, 'meetings', meeting),
        );
      }
    }
  }, 60_000);
});
