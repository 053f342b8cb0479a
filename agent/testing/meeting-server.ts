import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../../shared/manifest.js';

/** A request as the server saw it. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  agentId: string | undefined;
}

/** Return true after answering the request yourself. */
export type Intercept = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface MeetingServer {
  url: string;
  requests: SeenRequest[];
  intercept: Intercept | null;
  manifest(meetingId: string): Manifest;
  close(): Promise<void>;
}

/**
 * A stand-in for the coordinator's agent endpoints, serving meetings from memory on
 * 127.0.0.1 with a free port. Tests use it to see requests and to inject failures.
 */
export async function startMeetingServer(
  meetings: Record<string, Record<string, Buffer>>,
): Promise<MeetingServer> {
  const manifest = (meetingId: string): Manifest => {
    const files = Object.entries(meetings[meetingId] ?? {}).map(([path, bytes]) => ({
      path,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }));
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    return { meetingId, fileCount: files.length, totalBytes, files };
  };

  const server = http.createServer((request, response) => {
    const path = request.url ?? '';
    const agentId = request.headers['x-wst-agent-id'];
    state.requests.push({
      path,
      authorization: request.headers.authorization,
      agentId: typeof agentId === 'string' ? agentId : undefined,
    });
    if (state.intercept?.(request, response)) return;
    serve(path, meetings, manifest, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const state: MeetingServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    intercept: null,
    manifest,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

function serve(
  path: string,
  meetings: Record<string, Record<string, Buffer>>,
  manifest: (meetingId: string) => Manifest,
  response: ServerResponse,
): void {
  const match = /^\/api\/v1\/agent\/meetings\/([^/]+)\/(manifest|files\/(.+))$/.exec(path);
  const meetingId = decodeURIComponent(match?.[1] ?? '');
  const meeting = meetings[meetingId];
  if (!match || !meeting) return void response.writeHead(404).end('{"code":404}');

  if (match[2] === 'manifest') {
    response.writeHead(200, { 'content-type': 'application/json' });
    return void response.end(JSON.stringify({ code: 200, data: manifest(meetingId) }));
  }
  const relative = match[3]!.split('/').map(decodeURIComponent).join('/');
  const bytes = meeting[relative];
  if (!bytes) return void response.writeHead(404).end();
  response.writeHead(200, { 'content-length': bytes.length });
  response.end(bytes);
}
