import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { ApiError, notFound } from '../api-error.js';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';
import { parseRange } from './range.js';

/**
 * What agents pull: a meeting's manifest, and the bytes of the files it lists (with `Range`).
 * Mounted behind agent authentication.
 */
export function agentFileRoutes(s: Services): Hono {
  const app = new Hono();

  app.get('/:meetingId/manifest', async (c) => {
    const meetingId = c.req.param('meetingId');
    const manifest = await s.library.manifest(meetingId);
    if (!manifest) throw notFound(`meeting ${meetingId}`);
    return ok(c, manifest);
  });

  app.get('/:meetingId/files/*', async (c) => {
    const meetingId = c.req.param('meetingId');
    const relativePath = filePathOf(new URL(c.req.url).pathname, meetingId);
    const file = await s.library.resolveFile(meetingId, relativePath);
    if (!file) throw notFound(`file ${relativePath} of meeting ${meetingId}`);

    const { size } = await stat(file);
    const range = parseRange(c.req.header('range'), size);
    if (range === 'unsatisfiable') {
      return c.body(null, 416, { 'Content-Range': `bytes */${size}` });
    }

    const { start, end } = range ?? { start: 0, end: size - 1 };
    const length = Math.max(0, end - start + 1);
    const body = length === 0 ? null : createReadStream(file, { start, end, highWaterMark: 1 << 20 });
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      'Accept-Ranges': 'bytes',
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    return new Response(body && (Readable.toWeb(body) as ReadableStream), {
      status: range ? 206 : 200,
      headers,
    });
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
