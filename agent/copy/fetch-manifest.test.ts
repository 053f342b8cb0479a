import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { startMeetingServer, type MeetingServer } from '../testing/meeting-server.js';
import { CopyError } from './copy-error.js';
import { fetchManifest } from './fetch-manifest.js';

let server: MeetingServer;
const endpoint = () => ({ baseUrl: server.url, agentId: 'host-a', token: 's3cret' });
const fast = { baseDelayMs: 5 };

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof CopyError ? error.code : undefined;
}

afterEach(() => server.close());

describe('fetchManifest', () => {
  it('returns the manifest and presents the agent credentials', async () => {
    server = await startMeetingServer({ m1: { 'a.pdf': Buffer.from('hello') } });

    const manifest = await fetchManifest(endpoint(), 'm1', fast);

    expect(manifest.files).toEqual([
      { path: 'a.pdf', size: 5, sha256: expect.stringMatching(/^2cf24dba/) },
    ]);
    expect(server.requests).toEqual([
      {
        path: '/api/v1/agent/meetings/m1/manifest',
        authorization: 'Bearer s3cret',
        agentId: 'host-a',
      },
    ]);
  });

  it('fails with 1002 on 404 without retrying', async () => {
    server = await startMeetingServer({});

    expect(await codeOf(fetchManifest(endpoint(), 'missing', fast))).toBe(
      ErrorCode.MeetingNotFound,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 5xx and succeeds on the third attempt', async () => {
    server = await startMeetingServer({ m1: { 'a.pdf': Buffer.from('x') } });
    let failures = 2;
    server.intercept = (_request, response) => {
      if (failures-- <= 0) return false;
      response.writeHead(503).end();
      return true;
    };

    const manifest = await fetchManifest(endpoint(), 'm1', fast);

    expect(manifest.fileCount).toBe(1);
    expect(server.requests).toHaveLength(3);
  });

  it('fails with 1009 after three 5xx answers', async () => {
    server = await startMeetingServer({ m1: {} });
    server.intercept = (_request, response) => (response.writeHead(500).end(), true);

    expect(await codeOf(fetchManifest(endpoint(), 'm1', fast))).toBe(ErrorCode.DownloadFailed);
    expect(server.requests).toHaveLength(3);
  });

  it('fails with 1011 when a manifest path leaves the meeting folder', async () => {
    server = await startMeetingServer({});
    server.intercept = (_request, response) => {
      const files = [{ path: '../escape.txt', size: 1, sha256: '0'.repeat(64) }];
      const data = { meetingId: 'm1', fileCount: 1, totalBytes: 1, files };
      response.writeHead(200).end(JSON.stringify({ code: 200, data }));
      return true;
    };

    expect(await codeOf(fetchManifest(endpoint(), 'm1', fast))).toBe(ErrorCode.InvalidManifest);
  });

  it('fails with 1009 when nothing listens', async () => {
    server = await startMeetingServer({});
    const url = server.url;
    await server.close();

    const failed = fetchManifest({ ...endpoint(), baseUrl: url }, 'm1', fast);

    expect(await codeOf(failed)).toBe(ErrorCode.DownloadFailed);
  });
});
