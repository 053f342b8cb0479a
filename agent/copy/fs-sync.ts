import { open, type FileHandle } from 'node:fs/promises';
import { errnoCode } from './copy-error.js';

/**
 * Writes `chunks` one after the other from `position` on, looping over short writes (exFAT
 * through FUSE returns them for large writes instead of failing). A write of 0 bytes is an error.
 */
export async function writeFully(
  handle: FileHandle,
  chunks: readonly Uint8Array[],
  position: number,
): Promise<void> {
  let rest = chunks.filter((chunk) => chunk.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } =
      rest.length === 1
        ? await handle.write(rest[0]!, 0, rest[0]!.length, position)
        : await handle.writev(rest, position);
    if (bytesWritten === 0) {
      throw Object.assign(new Error(`write returned 0 bytes at offset ${position}`), {
        code: 'EIO',
      });
    }
    position += bytesWritten;
    rest = dropWritten(rest, bytesWritten);
  }
}

/** What is left of `chunks` once their first `written` bytes are on disk. */
function dropWritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (written >= chunk.length) {
      written -= chunk.length;
      continue;
    }
    rest.push(written > 0 ? chunk.subarray(written) : chunk);
    written = 0;
  }
  return rest;
}

const DIRECTORY_FSYNC_UNSUPPORTED = new Set(['EINVAL', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Flushes a directory entry (a rename) to the device. */
export async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some FUSE drivers and network filesystems reject fsync on a directory: nothing to add.
    if (!DIRECTORY_FSYNC_UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
