import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { frameHeader } from '../../../shared/bundle-frames.js';
import type { OpenedFile } from '../../library/library.js';

export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  /** First and last byte to send, inclusive; nothing is sent when `end < start`. */
  start: number;
  end: number;
}

/** Big reads: one file read and one socket write per MiB instead of per 64 KiB. */
const READ_SIZE = 1 << 20;

/** Sends a byte range of an open file and closes it (see `sendStream`). */
export function sendFile(
  outgoing: ServerResponse | undefined,
  handle: FileHandle,
  { status, headers, start, end }: FileResponse,
): Response {
  if (end < start) {
    void handle.close();
    return sendStream(outgoing, null, status, headers);
  }
  const body = handle.createReadStream({ start, end, highWaterMark: READ_SIZE });
  return sendStream(outgoing, body, status, headers);
}

/**
 * Sends several files as bundle frames (shared/bundle-frames.ts), opening each only when its
 * turn comes. A file whose size changes while it is sent breaks the response off.
 */
export function sendBundle(
  outgoing: ServerResponse | undefined,
  paths: readonly string[],
  openFile: (relativePath: string) => Promise<OpenedFile | null>,
): Response {
  async function* frames(): AsyncGenerator<Buffer> {
    for (const relativePath of paths) {
      const file = await openFile(relativePath);
      let streaming = false;
      try {
        yield frameHeader(file?.size ?? null);
        if (!file || file.size === 0) continue;
        // From here the stream closes the file, when it ends or is destroyed.
        const body = file.handle.createReadStream({ end: file.size - 1, highWaterMark: READ_SIZE });
        streaming = true;
        let sent = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          sent += chunk.length;
          yield chunk;
        }
        if (sent !== file.size) throw new Error(`${relativePath} shrank while it was sent`);
      } finally {
        if (file && !streaming) await file.handle.close().catch(() => {});
      }
    }
  }
  const headers = { 'Content-Type': 'application/octet-stream' };
  return sendStream(outgoing, Readable.from(frames(), { objectMode: false }), 200, headers);
}

/**
 * Under Node's HTTP server the bytes go straight from the stream into the socket: the
 * web-stream round trip a `Response` body takes costs as much as the disk on a fast device, and
 * a tick per small file. Without a Node response (in-process `app.request`) it answers an
 * ordinary `Response`.
 */
function sendStream(
  outgoing: ServerResponse | undefined,
  body: Readable | null,
  status: number,
  headers: Record<string, string>,
): Response {
  if (!outgoing) {
    return new Response(body && (Readable.toWeb(body) as ReadableStream), { status, headers });
  }
  outgoing.writeHead(status, headers);
  if (!body) {
    outgoing.end();
    return alreadySent();
  }
  // A client that goes away ends the pipeline with an error, which destroys the stream and so
  // closes its file. A response queued behind another on the same connection (pipelining)
  // never sees that error, so the connection's own end destroys the stream as well.
  const socket = outgoing.req.socket;
  const release = () => body.destroy();
  if (socket.destroyed) release();
  else socket.once('close', release);
  pipeline(body, outgoing)
    .catch(() => {})
    .finally(() => socket.off('close', release));
  return alreadySent();
}

/** What tells @hono/node-server that the response was written directly. */
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
