import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameHeader } from '../../shared/bundle-frames.js';
import { copyThroughBundle, groupIntoUnits } from './copy-bundle.js';

const MiB = 1024 * 1024;
const files = [
  { path: 'a.txt', size: 5, body: 'alpha' },
  { path: 'b.txt', size: 4, body: 'beta' },
  { path: 'c.txt', size: 5, body: 'gamma' },
];

/** Stands in for the coordinator's bundle endpoint; each test sets how it answers. */
let answer: (response: http.ServerResponse) => void;
let server: http.Server;
let baseUrl: string;
let connections = 0;
beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(response));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const frames = (list: { size: number; body: string }[]) =>
  Buffer.concat(list.flatMap((f) => [frameHeader(f.size), Buffer.from(f.body)]));

async function run(signal?: AbortSignal) {
  const received: Record<string, string> = {};
  const { rest, reason } = await copyThroughBundle(
    files,
    { endpoint: { baseUrl, agentId: 'a1', token: 't' }, meetingId: 'm1', signal },
    async (file, source) => {
      const parts: Buffer[] = [];
      for await (const part of source) parts.push(part);
      received[file.path] = Buffer.concat(parts).toString();
    },
  );
  return { received, rest: rest.map((file) => file.path), reason };
}

describe('copyThroughBundle', () => {
  it('hands each file its own bytes and leaves nothing to copy one by one', async () => {
    answer = (response) => response.end(frames(files));
    expect(await run()).toEqual({
      received: { 'a.txt': 'alpha', 'b.txt': 'beta', 'c.txt': 'gamma' },
      rest: [],
      reason: undefined,
    });
  });

  it('reads each bundle to its end, so one connection serves them all and no listener stays', async () => {
    // The closing chunk comes a moment after the last file's bytes, as over a real network.
    answer = (response) => {
      response.write(frames(files));
      setTimeout(() => response.end(), 5);
    };
    const controller = new AbortController();
    const before = connections;
    for (let i = 0; i < 20; i++) expect((await run(controller.signal)).rest).toEqual([]);
    expect(connections - before).toBeLessThanOrEqual(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('leaves every file when the coordinator sends no bundle', async () => {
    answer = (response) => response.writeHead(404).end('{}');
    expect(await run()).toMatchObject({ rest: ['a.txt', 'b.txt', 'c.txt'], reason: 'HTTP 404' });
  });

  it('leaves the files from the one that breaks off on', async () => {
    answer = (response) => {
      response.write(Buffer.concat([frames(files.slice(0, 1)), frameHeader(4), Buffer.from('be')]));
      setTimeout(() => response.destroy(), 20);
    };
    expect(await run()).toMatchObject({ received: { 'a.txt': 'alpha' }, rest: ['b.txt', 'c.txt'] });
  });

  it('leaves the files from one the coordinator does not serve or that has another size', async () => {
    answer = (response) =>
      response.end(Buffer.concat([frames(files.slice(0, 1)), frameHeader(null), frames(files.slice(2))]));
    expect(await run()).toEqual({
      received: { 'a.txt': 'alpha' },
      rest: ['b.txt', 'c.txt'],
      reason: 'b.txt: not served',
    });

    answer = (response) => response.end(frames([files[0]!, { size: 3, body: 'bet' }, files[2]!]));
    expect(await run()).toMatchObject({ rest: ['b.txt', 'c.txt'], reason: 'b.txt: 3 bytes, not 4' });
  });
});

describe('groupIntoUnits', () => {
  it('bundles runs of small files, up to 16 files and 4 MiB, and sends each large one alone', () => {
    const sizes = [...Array(20).fill(1000), 2 * MiB, 900_000, 900_000, 900_000, 900_000, 900_000];
    const units = groupIntoUnits(sizes.map((size) => ({ size })));
    expect(units.map((unit) => unit.files.length)).toEqual([16, 4, 1, 4, 1]);
    expect(units[2]!.size).toBe(2 * MiB);
  });
});
