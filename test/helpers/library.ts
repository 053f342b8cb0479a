import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { COMPLETION_RECORD } from '../../shared/manifest.js';

/** Relative path → size in bytes (random bytes from the seed), or exact contents. */
export type MeetingSpec = Record<string, number | string | Buffer>;

export interface WrittenFile {
  path: string;
  size: number;
  sha256: string;
}

const CHUNK = 1 << 20;

/**
 * Writes `<root>/<meetingId>/<path>` for every entry of `files`, making nested folders. Sized
 * entries get pseudo-random bytes derived from `seed` and the path, so a rerun writes the same.
 *
 * @example
 * await makeMeeting(meetingsDir, 'm1', { 'agenda.pdf': 200_000, 'slides/a.pptx': 3_000_000 });
 */
export async function makeMeeting(
  root: string,
  meetingId: string,
  files: MeetingSpec,
  seed = meetingId,
): Promise<WrittenFile[]> {
  const dir = path.join(root, meetingId);
  const written: WrittenFile[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    const sha256 =
      typeof content === 'number'
        ? await writeSeededFile(target, content, `${seed}/${relative}`)
        : await writeExact(target, Buffer.from(content));
    written.push({
      path: relative,
      size: typeof content === 'number' ? content : Buffer.byteLength(content),
      sha256,
    });
  }
  return written;
}

/** Writes `size` pseudo-random bytes (AES-CTR keyed by `seed`); returns their sha256. */
export async function writeSeededFile(target: string, size: number, seed: string): Promise<string> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(CHUNK);
  const handle = await open(target, 'w');
  try {
    for (let left = size; left > 0; left -= CHUNK) {
      const bytes = cipher.update(zeros.subarray(0, Math.min(CHUNK, left)));
      hash.update(bytes);
      await handle.write(bytes);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function writeExact(target: string, bytes: Buffer): Promise<string> {
  const handle = await open(target, 'w');
  try {
    await handle.write(bytes);
  } finally {
    await handle.close();
  }
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Relative POSIX paths of every regular file below `dir`, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    )
    .sort();
}

/**
 * Throws unless `dstDir` holds exactly the files of `srcDir`, byte for byte (sha256). The
 * completion record at the destination is ignored. Returns the compared relative paths.
 */
export async function compareTrees(srcDir: string, dstDir: string): Promise<string[]> {
  const source = await listFiles(srcDir);
  const target = (await listFiles(dstDir)).filter((file) => file !== COMPLETION_RECORD);
  const problems: string[] = [];

  const targetSet = new Set(target);
  const sourceSet = new Set(source);
  for (const file of source) if (!targetSet.has(file)) problems.push(`missing: ${file}`);
  for (const file of target) if (!sourceSet.has(file)) problems.push(`unexpected: ${file}`);

  for (const file of source.filter((f) => targetSet.has(f))) {
    const [a, b] = await Promise.all([
      sha256File(path.join(srcDir, file)),
      sha256File(path.join(dstDir, file)),
    ]);
    if (a !== b) problems.push(`differs: ${file}`);
  }

  if (problems.length > 0) {
    throw new Error(`${dstDir} does not match ${srcDir}:\n  ${problems.join('\n  ')}`);
  }
  return source;
}
