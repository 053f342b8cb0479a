import { open, type FileHandle } from 'node:fs/promises';
import { errnoCode } from './copy-error.js';

/**
 * Writes `length` bytes of `buffer` at `position`, looping over short writes (exFAT through
 * FUSE returns them for large writes instead of failing). A write of 0 bytes is an error.
 */
export async function writeFully(
  handle: FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const { bytesWritten } = await handle.write(buffer, offset, length - offset, position + offset);
    if (bytesWritten === 0) {
      throw Object.assign(new Error(`write returned 0 bytes at offset ${position + offset}`), {
        code: 'EIO',
      });
    }
    offset += bytesWritten;
  }
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
