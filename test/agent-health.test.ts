/** The agent's own health and metrics endpoint, on its local port, against a real system. */
import { describe, expect, it } from 'vitest';
import { ApiClient, pollUntil } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { makeMeeting } from './helpers/library.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { startAgentFor, startCoordinator, tempDir } from './helpers/system.js';

describe('agent health', () => {
  it('answers /healthz and counts devices, connection and tasks in /metrics', async () => {
    const coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
    const api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'm1', { 'agenda.pdf': 10_000 });
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, 'DEV1');
    const agent = await startAgentFor(coordinator, { agentId: 'host-h', mountRoot });
    const healthUrl = String(agent.ready.healthUrl);
    expect(healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await api.waitForDevices(1, { timeoutMs: 10_000 });
    const { batchId } = await api.createBatch({ meetingIds: ['m1'], serialNumbers: ['DEV1'] });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.status === 'completed' || s.status === 'failed',
      { timeoutMs: 15_000, intervalMs: 100 },
    );

    const health = await fetch(`${healthUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', mqttConnected: true });
    const metrics = await fetch(`${healthUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const { value } = parsePrometheus(await metrics.text());
    expect(value('wst_agent_mqtt_connected')).toBe(1);
    expect(value('wst_agent_devices_online')).toBe(1);
    expect(value('wst_agent_tasks', { state: 'completed' })).toBe(1);
    expect(value('wst_agent_completed_bytes')).toBe(10_000);
    expect((await fetch(`${healthUrl}/nope`)).status).toBe(404);
  }, 40_000);
});
