/**
 * The copy scenario's second baseline: the least a verified pull-copy needs in Node, in two
 * processes like coordinator and agent. `serve` answers `GET /<path>` from a directory; `copy`
 * pulls each file over keep-alive HTTP, hashes it while writing it to a temporary name, fsyncs,
 * checks the sha256 and renames: small files 16 at once, files of 8 MiB or more alone. No
 * auth, validation, journal, progress or MQTT: what is left is the cost of the method itself.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';

export interface BareFile {
  path: string;
  size: number;
  sha256: string;
}

export type BareCopyRequest =
  | { type: 'serve'; dir: string }
  | { type: 'copy'; url: string; files: BareFile[]; target: string }
  | { type: 'stop' };

export type BareCopyReply =
  | { type: 'serving'; url: string }
  | { type: 'copied'; ms: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

const LARGE = 8 * 1024 * 1024;
const BLOCK = 1024 * 1024;
let server: http.Server | undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const made = new Map<string, Promise<unknown>>();

function serve(dir: string): Promise<string> {
  server = http.createServer((request, response) => {
    const file = path.join(dir, decodeURIComponent(request.url!.slice(1)));
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    pipeline(createReadStream(file, { highWaterMark: BLOCK }), response).catch(() => {});
  });
  return new Promise((resolve) => {
    server!.listen(0, '127.0.0.1', () => {
      const { port } = server!.address() as { port: number };
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

async function copyOne(url: string, file: BareFile, target: string): Promise<void> {
  const destination = path.join(target, file.path);
  const temporary = `${destination}.part`;
  const directory = path.dirname(destination);
  if (!made.has(directory)) made.set(directory, mkdir(directory, { recursive: true }));
  await made.get(directory);
  const body = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${url}/${encodeURIComponent(file.path)}`, { agent }, resolve).once('error', reject);
  });
  const handle = await open(temporary, 'wx');
  const hash = createHash('sha256');
  let [position, gathered, gatheredBytes] = [0, [] as Buffer[], 0];
  let pending = Promise.resolve();
  const flush = async () => {
    await pending;
    pending = handle.writev(gathered, position).then(() => undefined);
    [position, gathered, gatheredBytes] = [position + gatheredBytes, [], 0];
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    gathered.push(chunk);
    gatheredBytes += chunk.length;
    if (gatheredBytes >= BLOCK) await flush();
  }
  if (gatheredBytes > 0) await flush();
  await pending;
  await handle.sync();
  await handle.close();
  if (hash.digest('hex') !== file.sha256) throw new Error(`${file.path}: sha256 differs`);
  await rename(temporary, destination);
}

async function copy(url: string, files: BareFile[], target: string): Promise<number> {
  made.clear();
  const started = performance.now();
  for (const file of files.filter((f) => f.size >= LARGE)) await copyOne(url, file, target);
  const small = files.filter((f) => f.size < LARGE);
  let next = 0;
  const lane = async () => {
    while (next < small.length) await copyOne(url, small[next++]!, target);
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return performance.now() - started;
}

process.on('message', (request: BareCopyRequest) => {
  const reply = (message: BareCopyReply) => process.send!(message);
  const work = async (): Promise<BareCopyReply> => {
    if (request.type === 'serve') return { type: 'serving', url: await serve(request.dir) };
    if (request.type === 'copy') {
      return { type: 'copied', ms: await copy(request.url, request.files, request.target) };
    }
    server?.close();
    agent.destroy();
    setImmediate(() => process.exit(0));
    return { type: 'stopped' };
  };
  work().then(reply, (error: Error) => reply({ type: 'error', message: error.message }));
});
