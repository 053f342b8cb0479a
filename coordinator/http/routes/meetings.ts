import { Hono } from 'hono';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';

/** `GET /api/v1/meetings`: the meeting library with file count and bytes per meeting. */
export function meetingRoutes(s: Services): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const meetings = await s.library.list();
    return ok(c, { meetings, total: meetings.length });
  });

  return app;
}
