import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { dashboardRoutes } from '../dashboard/routes.js';
import { ApiError } from './api-error.js';
import { normalOrigin, requireAgent, requireApiToken, refuseCrossSite } from './auth.js';
import { agentFileRoutes } from './routes/agent-files.js';
import { batchControlRoutes, taskControlRoutes } from './routes/batch-controls.js';
import { batchRoutes } from './routes/batches.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { meetingRoutes } from './routes/meetings.js';
import { openApiRoutes } from './routes/openapi.js';
import { progressStreamRoutes } from './routes/progress-stream.js';
import type { Services } from './services.js';

const MAX_BODY_BYTES = 1 << 20;

/** The coordinator's HTTP API. Every failure answers `{code, message}` with its HTTP status. */
export function createApp(s: Services): Hono {
  const app = new Hono();

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  if (s.corsOrigins.length > 0) {
    app.use(
      '/api/v1/*',
      cors({
        origin: (origin) => (s.corsOrigins.includes(normalOrigin(origin)) ? origin : null),
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        maxAge: 600,
      }),
    );
  }
  app.use('/api/v1/mount/*', refuseCrossSite(s.corsOrigins));
  app.use('/api/v1/agent/*', refuseCrossSite(s.corsOrigins));
  app.use('/api/v1/agent/*', requireAgent(s.secrets));
  app.use('/api/v1/mount/*', requireApiToken(s.secrets.apiToken));
  app.use('/api/v1/meetings', requireApiToken(s.secrets.apiToken));

  app.route('/api/v1/mount/sync/batch', batchRoutes(s));
  app.route('/api/v1/mount/sync/batch', batchControlRoutes(s));
  app.route('/api/v1/mount/sync/tasks', progressStreamRoutes(s));
  app.route('/api/v1/mount/sync/tasks', taskControlRoutes(s));
  app.route('/api/v1/mount/devices', deviceRoutes(s));
  app.route('/api/v1/meetings', meetingRoutes(s));
  app.route('/api/v1/agent/meetings', agentFileRoutes(s));

  // Health, metrics and the API description are open: they show no secrets.
  if (s.ops) app.route('/', healthRoutes(s, s.ops));
  app.route('/', openApiRoutes());
  app.route('/', dashboardRoutes());

  app.notFound((c) => c.json({ code: 404, message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json({ code: error.status, message: error.message }, error.status);
    }
    if (error instanceof HTTPException) {
      return c.json({ code: error.status, message: error.message }, error.status);
    }
    s.log.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ code: 500, message: 'internal error' }, 500);
  });

  return app;
}
