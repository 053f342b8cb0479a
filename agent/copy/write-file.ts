import { createHash } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../shared/error-codes.js';
import { abortError, CopyError, errnoCode } from './copy-error.js';
import { fsyncDirectory, writeFully } from './fs-sync.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface ExpectedFile {
  size: number;
  sha256: string;
  /** The file's path in the meeting, to name it in errors (default: the destination's name). */
  path?: string;
}

export interface WrittenFile extends ExpectedFile {
  mtimeMs: number;
}

export interface WriteFileOptions {
  signal?: AbortSignal;
  /** Called after each block reaches the file, with its length. */
  onBytes?: (bytes: number) => void;
  limiter?: RateLimiter;
  /** Bytes gathered before each write; 1 MiB keeps USB and FUSE devices busy. */
  blockSize?: number;
  /**
   * fsync the directory after the rename (default). A caller writing many files into one
   * directory may pass false and fsync the directory once after all of them.
   */
  syncDirectory?: boolean;
}

export const DEFAULT_BLOCK_SIZE = 1024 * 1024;

/** The temporary name a file has on the device until it is complete and verified. */
export function partName(destination: string): string {
  const base = path.basename(destination);
  const name = `.${base}.wst-part`;
  // Names near the 255-byte limit have no room for the suffix: use a digest of the name instead.
  if (Buffer.byteLength(name) <= 255) return path.join(path.dirname(destination), name);
  const digest = createHash('sha256').update(base).digest('hex').slice(0, 32);
  return path.join(path.dirname(destination), `.${digest}.wst-part`);
}

/**
 * Streams `source` into `destination` through a temporary file in the same directory, hashing
 * on the way. The file appears under its final name only after it was flushed and its size and
 * sha256 matched; on any failure the temporary file is removed.
 */
export async function writeFileAtomically(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  destination: string,
  expected: ExpectedFile,
  options: WriteFileOptions = {},
): Promise<WrittenFile> {
  const temporary = partName(destination);
  const handle = await createTemporary(temporary);
  let closed = false;
  try {
    const sha256 = await streamInto(handle, source, expected, options, nameOf(expected, destination));
    await handle.sync();
    // A rename keeps the modification time: read it here, while the file is open anyway.
    const { mtimeMs } = await handle.stat();
    await handle.close();
    closed = true;

    if (sha256 !== expected.sha256) {
      const detail = `${nameOf(expected, destination)}: sha256 ${sha256}, expected ${expected.sha256}`;
      throw new CopyError(ErrorCode.ChecksumMismatch, detail);
    }
    await rename(temporary, destination);
    if (options.syncDirectory !== false) await fsyncDirectory(path.dirname(destination));
    return { ...expected, mtimeMs };
  } catch (error) {
    if (!closed) await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/** Creates the temporary file, replacing one an interrupted attempt left behind. */
async function createTemporary(temporary: string): Promise<FileHandle> {
  try {
    return await open(temporary, 'wx');
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    await unlink(temporary);
    return open(temporary, 'wx');
  }
}

async function streamInto(
  handle: FileHandle,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: ExpectedFile,
  options: WriteFileOptions,
  name: string,
): Promise<string> {
  const { signal, onBytes, limiter = createRateLimiter(0) } = options;
  const blockSize = Math.max(1, options.blockSize ?? DEFAULT_BLOCK_SIZE);
  const hash = createHash('sha256');
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let position = 0;
  let pending: Promise<void> = Promise.resolve();
  // A file of one block is written straight from the chunks that brought it. A larger one is
  // copied into two blocks of its own, one written while the next fills from the network:
  // on a fast disk, one contiguous write per MiB beats gathering sixteen network chunks.
  const blocks =
    expected.size > blockSize ? [Buffer.allocUnsafe(blockSize), Buffer.allocUnsafe(blockSize)] : [];

  const flush = async () => {
    await pending;
    const [length, at] = [gatheredBytes, position];
    const block = blocks.shift();
    let chunks = gathered;
    if (block) {
      blocks.push(block);
      let offset = 0;
      for (const chunk of gathered) {
        block.set(chunk, offset);
        offset += chunk.length;
      }
      chunks = [block.subarray(0, length)];
    }
    pending = writeFully(handle, chunks, at).then(() => onBytes?.(length));
    pending.catch(() => {});
    position += length;
    [gathered, gatheredBytes] = [[], 0];
  };

  try {
    for await (const chunk of source) {
      if (signal?.aborted) throw abortError(signal);
      if (position + gatheredBytes + chunk.length > expected.size) {
        throw new CopyError(ErrorCode.ChecksumMismatch, `${name}: more than ${expected.size} bytes`);
      }
      hash.update(chunk);
      await limiter.take(chunk.length, signal);
      for (let offset = 0; offset < chunk.length;) {
        const count = Math.min(chunk.length - offset, blockSize - gatheredBytes);
        gathered.push(count === chunk.length ? chunk : chunk.subarray(offset, offset + count));
        [gatheredBytes, offset] = [gatheredBytes + count, offset + count];
        if (gatheredBytes === blockSize) await flush();
      }
    }
    if (gatheredBytes > 0) await flush();
  } finally {
    await pending.catch(() => {});
  }
  await pending;
  if (position !== expected.size) {
    throw new CopyError(ErrorCode.ChecksumMismatch, `${name}: got ${position} of ${expected.size} bytes`);
  }
  return hash.digest('hex');
}

function nameOf(expected: ExpectedFile, destination: string): string {
  return expected.path ?? path.basename(destination);
}
