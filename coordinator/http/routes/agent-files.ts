import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { BundleRequest, MAX_BUNDLE_FILES } from '../../../shared/bundle-frames.js';
import { ApiError, notFound } from '../api-error.js';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';
import { parseRange } from './range.js';
import { sendBundle, sendFile } from './send-file.js';

/**
 * What agents pull: a meeting's manifest, and the bytes of the files it lists (with `Range`).
 * Mounted behind agent authentication.
 */
export function agentFileRoutes(s: Services): Hono<{ Bindings: Partial<HttpBindings> }> {
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();

  app.get('/:meetingId/manifest', async (c) => {
    const meetingId = c.req.param('meetingId');
    const manifest = await s.library.manifest(meetingId);
    if (!manifest) throw notFound(`meeting ${meetingId}`);
    return ok(c, manifest);
  });

  app.get('/:meetingId/files/*', async (c) => {
    const meetingId = c.req.param('meetingId');
    const relativePath = filePathOf(new URL(c.req.url).pathname, meetingId);
    const file = await s.library.openFile(meetingId, relativePath);
    if (!file) throw notFound(`file ${relativePath} of meeting ${meetingId}`);

    const range = parseRange(c.req.header('range'), file.size);
    if (range === 'unsatisfiable') {
      await file.handle.close();
      return c.body(null, 416, { 'Content-Range': `bytes */${file.size}` });
    }
    const { start, end } = range ?? { start: 0, end: file.size - 1 };
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(Math.max(0, end - start + 1)),
      'Accept-Ranges': 'bytes',
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
    return sendFile(c.env?.outgoing, file.handle, { status: range ? 206 : 200, headers, start, end });
  });

  app.post('/:meetingId/bundle', async (c) => {
    const meetingId = c.req.param('meetingId');
    const request = BundleRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!request.success) {
      throw new ApiError(400, `body must be {"files": [1 to ${MAX_BUNDLE_FILES} relative paths]}`);
    }
    if (!(await s.library.has(meetingId))) throw notFound(`meeting ${meetingId}`);
    const open = (relativePath: string) => s.library.openFile(meetingId, relativePath);
    return sendBundle(c.env?.outgoing, request.data.files, open);
  });

  return app;
}

/** The file's relative path from the request path, each segment URL-decoded. */
function filePathOf(pathname: string, meetingId: string): string {
  const marker = `/${encodeURIComponent(meetingId)}/files/`;
  const at = pathname.indexOf(marker);
  const encoded = at < 0 ? '' : pathname.slice(at + marker.length);
  try {
    return encoded.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new ApiError(400, 'file path is not valid URL encoding');
  }
}
