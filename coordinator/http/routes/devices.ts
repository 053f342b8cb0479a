import { Hono } from 'hono';
import { isoSeconds } from '../../../shared/time.js';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';

/** `GET /api/v1/mount/devices`: online devices; `?all=true` adds the ones seen offline. */
export function deviceRoutes(s: Services): Hono {
  const app = new Hono();

  app.get('/', (c) => {
    const all = c.req.query('all') === 'true';
    const devices = s.devices
      .devices()
      .filter((d) => all || d.online)
      .map((d) => ({ ...d, updatedAt: isoSeconds(d.updatedAt) }));
    return ok(c, { devices, total: devices.length });
  });

  return app;
}
