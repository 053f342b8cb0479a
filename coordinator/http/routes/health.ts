import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import { metricsRenderer } from '../../metrics/coordinator-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../../shared/prometheus-text.js';
import type { OpsSources, Services } from '../services.js';

export interface ReadinessCheck {
  ok: boolean;
  error?: string;
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` (broker connected, store writable) and
 * `GET /metrics` (Prometheus text). Not behind the API token: none of them shows a secret.
 */
export function healthRoutes(s: Services, ops: OpsSources): Hono {
  const app = new Hono();
  const renderMetrics = metricsRenderer({
    book: s.book,
    devices: s.devices,
    events: s.events,
    storeWrites: ops.storeWrites,
    mqttMessagesReceived: ops.mqttMessagesReceived,
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));

  app.get('/readyz', async (c) => {
    const checks = {
      mqtt: ops.mqttConnected() ? { ok: true } : { ok: false, error: 'not connected to the broker' },
      store: await storeWritable(ops.storeDir),
    };
    const ready = checks.mqtt.ok && checks.store.ok;
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });

  app.get('/metrics', (c) =>
    c.body(renderMetrics(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }),
  );

  return app;
}

/** Writes and removes a probe file: catches a read-only remount, a full disk, a missing dir. */
async function storeWritable(dir: string): Promise<ReadinessCheck> {
  const probe = path.join(dir, `.ready-probe-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
    return { ok: true };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { ok: false, error: code ? `${code}: store dir not writable` : message };
  }
}
