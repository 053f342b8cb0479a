import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError } from './copy-error.js';
import { resumableDownload } from './download-file.js';

const body = randomBytes(3 * 1024 * 1024);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('resumableDownload', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { baseUrl: `http://127.0.0.1:${port}`, agentId: 'a1', token: 't' };
  }

  it('resumes with Range after the body is cut mid-way and yields every byte once', async () => {
    const ranges: (string | undefined)[] = [];
    const endpoint = await serve((req, res) => {
      ranges.push(req.headers.range);
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const part = body.subarray(from);
      res.writeHead(from > 0 ? 206 : 200, { 'content-length': part.length });
      if (ranges.length === 1) {
        res.write(part.subarray(0, 1024 * 1024 + 17));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(part);
    });

    const received = await collect(
      resumableDownload(endpoint, 'm1', 'a.bin', { patienceMs: 5000, retryDelayMs: 10 }),
    );

    expect(sha(received)).toBe(sha(body));
    expect(ranges[0]).toBeUndefined();
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(ranges[1]!.slice(6, -1))).toBeGreaterThan(0);
  });

  it('fails with 1009 once the coordinator stays unreachable longer than the patience', async () => {
    const endpoint = { baseUrl: 'http://127.0.0.1:1', agentId: 'a1', token: 't' };
    const started = Date.now();

    const error = await collect(
      resumableDownload(endpoint, 'm1', 'a.bin', { patienceMs: 300, retryDelayMs: 20 }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CopyError);
    expect((error as CopyError).code).toBe(ErrorCode.DownloadFailed);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
