import { createHash } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../shared/error-codes.js';
import { abortError, CopyError } from './copy-error.js';
import { fsyncDirectory, writeFully } from './fs-sync.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface ExpectedFile {
  size: number;
  sha256: string;
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
  await rm(temporary, { force: true });
  const handle = await open(temporary, 'wx');
  let closed = false;
  try {
    const sha256 = await streamInto(handle, source, expected, options);
    await handle.sync();
    await handle.close();
    closed = true;

    if (sha256 !== expected.sha256) {
      const detail = `${path.basename(destination)}: sha256 ${sha256}, expected ${expected.sha256}`;
      throw new CopyError(ErrorCode.ChecksumMismatch, detail);
    }
    await rename(temporary, destination);
    if (options.syncDirectory !== false) await fsyncDirectory(path.dirname(destination));
    return { ...expected, mtimeMs: (await stat(destination)).mtimeMs };
  } catch (error) {
    if (!closed) await handle.close().catch(() => {});
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}

async function streamInto(
  handle: FileHandle,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: ExpectedFile,
  options: WriteFileOptions,
): Promise<string> {
  const { signal, onBytes, limiter = createRateLimiter(0) } = options;
  const blockSize = Math.max(1, Math.min(options.blockSize ?? DEFAULT_BLOCK_SIZE, expected.size));
  const hash = createHash('sha256');
  const blocks = [Buffer.allocUnsafe(blockSize), Buffer.allocUnsafe(blockSize)];
  let block = blocks[0]!;
  let filled = 0;
  let position = 0;
  let pending: Promise<void> = Promise.resolve();

  // Two blocks: one is written while the next one fills from the network.
  const flush = async () => {
    await pending;
    const [full, length, at] = [block, filled, position];
    pending = writeFully(handle, full, length, at).then(() => onBytes?.(length));
    pending.catch(() => {});
    position += length;
    block = block === blocks[0] ? blocks[1]! : blocks[0]!;
    filled = 0;
  };

  try {
    for await (const chunk of source) {
      if (signal?.aborted) throw abortError(signal);
      if (position + filled + chunk.length > expected.size) {
        throw new CopyError(ErrorCode.ChecksumMismatch, `more than ${expected.size} bytes`);
      }
      hash.update(chunk);
      await limiter.take(chunk.length, signal);

      for (let offset = 0; offset < chunk.length;) {
        const count = Math.min(chunk.length - offset, blockSize - filled);
        block.set(chunk.subarray(offset, offset + count), filled);
        [filled, offset] = [filled + count, offset + count];
        if (filled === blockSize) await flush();
      }
    }
    if (filled > 0) await flush();
  } finally {
    await pending.catch(() => {});
  }
  await pending;
  if (position !== expected.size) {
    throw new CopyError(ErrorCode.ChecksumMismatch, `got ${position} of ${expected.size} bytes`);
  }
  return hash.digest('hex');
}
