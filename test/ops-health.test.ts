/**
 * Issue 8, operations: `/healthz`, `/readyz` and `/metrics` on a real coordinator with a real
 * agent. The metrics are parsed from the text format and compared with what the API says; the
 * readiness checks are failed for real: the store's filesystem remounted read-only, the broker
 * taken away.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, pollUntil } from './helpers/api.js';
import { skipMounting } from './helpers/fat-image.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { startSite } from './helpers/site.js';
import { startCoordinator, tempDir, type Agent, type Coordinator } from './helpers/system.js';
import { canMountTmpfs, mountTmpfs, type MountedTmpfs } from './helpers/tmpfs.js';

const run = promisify(execFile);
const TMPFS = await canMountTmpfs();
const SERIAL = 'WST300LX1000901';
const ABSENT = 'WST300LX1000902';
const MEETING = 'ops-review';
const SIZE = 6 * 1024 * 1024;

describe('coordinator health and metrics', () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let dataFs: MountedTmpfs | undefined;

  beforeAll(async () => {
    // The data dir on its own tmpfs, so that the readiness test can make it read-only for root.
    if (TMPFS.ok) dataFs = await mountTmpfs(await tempDir('wst-coordinator-'), 16);
    ({ coordinator, api, agent } = await startSite({
      coordinator: { dataDir: dataFs?.mountPoint, env: { WST_STORE_COALESCE_MS: '20' } },
      meetings: { [MEETING]: { 'recording.mp4': SIZE, 'agenda.txt': 'a' } },
      devices: [SERIAL],
      // About 2 s per copy: long enough to see a running subtask and an open stream.
      agent: { agentId: 'host-ops', bwLimit: 3 * 1024 * 1024 },
    }));
    await pollUntil(() => scrape(), (m) => m.value('wst_devices_online') === 1, {
      timeoutMs: 10_000,
      description: 'the device online',
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
    await dataFs?.unmount();
  });

  async function scrape() {
    const res = await fetch(`${coordinator.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await res.text());
  }

  it('answers /healthz and /readyz without the API token', async () => {
    const health = await fetch(`${coordinator.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${coordinator.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { mqtt: { ok: true }, store: { ok: true } },
    });
  });

  it('counts batches, subtasks, streams and bytes as the API reports them, while running and after', async () => {
    const before = await scrape();
    const { batchId } = await api.createBatch({ meetingIds: [MEETING], serialNumbers: [SERIAL, ABSENT] });
    const running = await pollUntil(
      async () => (await api.getTasks(batchId)).tasks.find((t) => t.serialNumber === SERIAL),
      (t) => t?.status === 'running',
      { timeoutMs: 10_000, intervalMs: 50, description: 'the copy to run' },
    );
    const stream = api.progressStream(running!.taskId!, SERIAL, { timeoutMs: 20_000 });
    const during = await pollUntil(() => scrape(), (m) => m.value('wst_sse_clients') === 1, {
      timeoutMs: 5_000,
      intervalMs: 50,
      description: 'the stream to be counted',
    });

    expect(during.value('wst_batches', { status: 'running' })).toBe(1);
    expect(during.value('wst_subtasks', { status: 'running' })).toBe(1);
    expect(during.value('wst_subtasks', { status: 'failed' })).toBe(1);

    await stream.done;
    await pollUntil(() => api.getStatus(batchId), (s) => s.status === 'partial_failed', {
      timeoutMs: 20_000,
      description: 'the batch to end',
    });
    const { tasks } = await api.getTasks(batchId);
    const packageSize = tasks.find((t) => t.status === 'completed')!.packageSize!;
    const after = await pollUntil(() => scrape(), (m) => m.value('wst_sse_clients') === 0, {
      timeoutMs: 5_000,
      description: 'the stream to be gone',
    });

    expect(packageSize).toBe(SIZE + 1);
    expect(after.types.get('wst_batches')).toBe('gauge');
    expect(after.types.get('wst_bytes_copied_total')).toBe('counter');
    expect(after.types.get('wst_store_write_seconds')).toBe('histogram');
    expect(
      ['pending', 'running', 'completed', 'partial_failed', 'failed', 'cancelled'].map((status) =>
        after.value('wst_batches', { status }),
      ),
    ).toEqual([0, 0, 0, 1, 0, 0]);
    expect(
      ['pending', 'running', 'completed', 'failed', 'cancelled'].map((status) =>
        after.value('wst_subtasks', { status }),
      ),
    ).toEqual([0, 0, 1, 1, 0]);
    expect(after.value('wst_bytes_copied_total')).toBe(packageSize);
    expect(after.value('wst_agents_online')).toBe(1);
    expect(after.value('wst_devices_online')).toBe(1);
    // Progress and state messages of this copy arrived over MQTT.
    expect(after.value('wst_mqtt_messages_received_total')).toBeGreaterThan(
      before.value('wst_mqtt_messages_received_total') + 2,
    );
    // The batch was written on create and on every coalesced change: the histogram saw them.
    const writes = after.value('wst_store_write_seconds_count');
    expect(writes).toBeGreaterThan(before.value('wst_store_write_seconds_count'));
    expect(after.value('wst_store_write_seconds_bucket', { le: '+Inf' })).toBe(writes);
    const buckets = after.samples.filter((s) => s.name === 'wst_store_write_seconds_bucket');
    const counts = buckets.map((s) => s.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(after.value('wst_store_write_seconds_sum')).toBeGreaterThan(0);
  });

  it.skipIf(skipMounting(TMPFS))(
    `answers /readyz 503 naming the store while its filesystem is read-only${TMPFS.ok ? '' : ` (skipped: ${TMPFS.reason})`}`,
    async () => {
      const mountPoint = dataFs!.mountPoint;
      await remount(mountPoint, 'ro');
      try {
        const res = await fetch(`${coordinator.httpUrl}/readyz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          status: 'not ready',
          checks: { mqtt: { ok: true }, store: { ok: false, error: 'EROFS: store dir not writable' } },
        });
        expect((await fetch(`${coordinator.httpUrl}/healthz`)).status).toBe(200);
      } finally {
        await remount(mountPoint, 'rw');
      }
      expect((await fetch(`${coordinator.httpUrl}/readyz`)).status).toBe(200);
    },
  );
});

describe('coordinator readiness with an external broker', () => {
  it('answers /readyz 503 naming mqtt while the broker is down, and 200 once it is back', async () => {
    let broker = await startPlainBroker(0);
    const port = broker.port;
    const coordinator = await startCoordinator({
      env: { WST_MQTT_URL: `mqtt://127.0.0.1:${port}`, WST_DEVICE_SETTLE_MS: '0' },
    });
    const readyz = async () => {
      const res = await fetch(`${coordinator.httpUrl}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, unknown> } };
    };
    try {
      expect((await readyz()).status).toBe(200);

      await broker.close();
      const down = await pollUntil(readyz, (r) => r.status === 503, {
        timeoutMs: 5_000,
        intervalMs: 50,
        description: '/readyz to say not ready',
      });
      expect(down.body).toEqual({
        status: 'not ready',
        checks: { mqtt: { ok: false, error: 'not connected to the broker' }, store: { ok: true } },
      });

      broker = await startPlainBroker(port);
      await pollUntil(readyz, (r) => r.status === 200, {
        timeoutMs: 10_000,
        description: '/readyz to be ready again after the reconnect',
      });
    } finally {
      await coordinator.stop();
      await broker.close();
    }
  });
});

async function remount(mountPoint: string, mode: 'ro' | 'rw'): Promise<void> {
  // A write under way keeps the filesystem busy for a moment; try again briefly.
  await pollUntil(
    () => run('mount', ['-o', `remount,${mode}`, mountPoint]).then(() => true),
    (done) => done,
    { timeoutMs: 5_000, intervalMs: 100, description: `remount ${mode} of ${mountPoint}` },
  );
}

/** An aedes broker without authentication, on loopback: stands in for an external broker. */
async function startPlainBroker(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let closed = false;
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

