import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readSse } from './sse.js';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('parses events, JSON data, ids, retry and comments split across chunks', () => {
    const parser = new SseParser();
    const wire =
      ': hello\n\nevent: progress\nid: 7\ndata: {"percent":\ndata: 50}\n\nretry: 3000\ndata: plain\n\n';
    for (let i = 0; i < wire.length; i += 5) parser.push(wire.slice(i, i + 5));

    expect(parser.comments).toEqual(['hello']);
    expect(parser.frames).toEqual([
      {
        event: 'progress',
        data: { percent: 50 },
        dataText: '{"percent":\n50}',
        id: '7',
        retry: undefined,
        raw: 'event: progress\nid: 7\ndata: {"percent":\ndata: 50}',
      },
      {
        event: 'message',
        data: 'plain',
        dataText: 'plain',
        id: undefined,
        retry: 3000,
        raw: 'retry: 3000\ndata: plain',
      },
    ]);
  });

  it('accepts CRLF and CR line ends, even with CRLF split between chunks', () => {
    const parser = new SseParser();
    parser.push('data: 1\r');
    parser.push('\n\r');
    parser.push('\ndata: 2\r\rdata:3\n\n');

    expect(parser.frames.map((f) => f.data)).toEqual([1, 2, 3]);
  });

  it('dispatches nothing for a block without data', () => {
    const parser = new SseParser();
    parser.push('event: ping\n\n:keep-alive\n\n');

    expect(parser.frames).toEqual([]);
    expect(parser.comments).toEqual(['keep-alive']);
  });
});

describe('readSse against a local server', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  async function serve(frames: string[], { end = false, delayMs = 20 } = {}): Promise<string> {
    server = createServer(async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      for (const frame of frames) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        res.write(frame);
      }
      if (end) res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  }

  const progress = (percent: number) => `event: progress\ndata: ${JSON.stringify({ percent })}\n\n`;

  it('reads frames until the awaited one and then closes the stream', async () => {
    const url = await serve([
      progress(10),
      progress(60),
      'event: completed\ndata: {"percent":100}\n\n',
      progress(0),
    ]);
    const result = await readSse(url, { until: (f) => f.event === 'completed', timeoutMs: 5_000 })
      .done;

    expect(result.reason).toBe('until');
    expect(result.status).toBe(200);
    expect(result.contentType).toBe('text/event-stream');
    expect(result.comments).toEqual(['connected']);
    expect(result.frames.map((f) => [f.event, f.data])).toEqual([
      ['progress', { percent: 10 }],
      ['progress', { percent: 60 }],
      ['completed', { percent: 100 }],
    ]);
  });

  it('returns what it got when the server ends the stream', async () => {
    const url = await serve([progress(5)], { end: true });
    const result = await readSse(url, { timeoutMs: 5_000 }).done;

    expect(result.reason).toBe('end');
    expect(result.text).toBe(': connected\n\n' + progress(5));
  });

  it('rejects with the frames seen when the awaited frame never comes', async () => {
    const url = await serve([progress(1)]);
    const reading = readSse(url, { until: (f) => f.event === 'completed', timeoutMs: 300 }).done;

    await expect(reading).rejects.toThrow(/no frame matched.*1 frames.*"percent":1/);
  });

  it('stops on abort and keeps the frames read so far', async () => {
    const url = await serve([progress(1), progress(2)]);
    const reader = readSse(url, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    reader.abort();
    const result = await reader.done;

    expect(result.reason).toBe('aborted');
    expect(result.frames.map((f) => f.data)).toEqual([{ percent: 1 }, { percent: 2 }]);
  });
});
