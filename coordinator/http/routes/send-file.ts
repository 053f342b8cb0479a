import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  /** First and last byte to send, inclusive; nothing is sent when `end < start`. */
  start: number;
  end: number;
}

/** Big reads: one file read and one socket write per MiB instead of per 64 KiB. */
const READ_SIZE = 1 << 20;

/**
 * Sends a byte range of an open file and closes it. Under Node's HTTP server the bytes go
 * straight from the file stream into the socket: the web-stream round trip a `Response` body
 * takes costs as much as the disk on a fast device, and a tick per small file. Without a Node
 * response (in-process `app.request`) it answers an ordinary `Response`.
 */
export function sendFile(
  outgoing: ServerResponse | undefined,
  handle: FileHandle,
  { status, headers, start, end }: FileResponse,
): Response {
  const body =
    end < start
      ? undefined
      : createReadStream('', { fd: handle, start, end, highWaterMark: READ_SIZE });
  if (!body) void handle.close();

  if (!outgoing) {
    return new Response(body && (Readable.toWeb(body) as ReadableStream), { status, headers });
  }
  outgoing.writeHead(status, headers);
  if (body) {
    // A client that goes away ends the pipeline with an error; the stream closes the file. A
    // response queued behind another on the same connection (pipelining) never sees that
    // error, so the connection's own end closes the file as well.
    const socket = outgoing.req.socket;
    const release = () => body.destroy();
    if (socket.destroyed) release();
    else socket.once('close', release);
    pipeline(body, outgoing)
      .catch(() => {})
      .finally(() => socket.off('close', release));
  } else {
    outgoing.end();
  }
  return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
}

/** What tells @hono/node-server that the response was written directly. */
const ALREADY_SENT = 'x-hono-already-sent';
