import { lstat } from 'node:fs/promises';
import type { ManifestFile } from '../../shared/manifest.js';
import { resolveInside } from '../../shared/safe-path.js';
import { errnoCode } from './copy-error.js';
import { hashFile } from '../../shared/hash-file.js';

/** A file known to be on the device with this content, as the journal remembers it. */
export interface VerifiedFile {
  /** The file's path in the meeting (the library's name). */
  path: string;
  /** Where it lies on the device, when the device's filesystem needed another name. */
  devicePath?: string;
  size: number;
  sha256: string;
  mtimeMs: number;
}

/** A manifest file and, when it differs, the path it gets on the device (`device-names.ts`). */
export interface DeviceFile extends ManifestFile {
  devicePath?: string;
}

export interface CopyPlan {
  copy: DeviceFile[];
  /** Files already on the device with the manifest's content. */
  skip: VerifiedFile[];
  bytesToCopy: number;
}

/**
 * Decides which manifest files still need copying into `meetingDir`. A file is skipped when the
 * device holds one of the same size whose sha256 matches: taken from `verified` when its size and
 * mtime are unchanged since, otherwise hashed again.
 */
export async function planCopy(
  files: readonly DeviceFile[],
  meetingDir: string,
  verified: readonly VerifiedFile[] = [],
  signal?: AbortSignal,
): Promise<CopyPlan> {
  const known = new Map(verified.map((file) => [file.path, file]));
  const plan: CopyPlan = { copy: [], skip: [], bytesToCopy: 0 };

  for (const file of files) {
    const destination = resolveInside(meetingDir, file.devicePath ?? file.path);
    const onDevice = await findIdentical(file, destination, known, signal);
    if (onDevice) {
      plan.skip.push(onDevice);
    } else {
      plan.copy.push(file);
      plan.bytesToCopy += file.size;
    }
  }
  return plan;
}

async function findIdentical(
  file: DeviceFile,
  destination: string,
  known: Map<string, VerifiedFile>,
  signal?: AbortSignal,
): Promise<VerifiedFile | null> {
  const stats = await lstat(destination).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    throw error;
  });
  if (!stats?.isFile() || stats.size !== file.size) return null;

  const onDevice: VerifiedFile = {
    path: file.path,
    ...(file.devicePath !== undefined && { devicePath: file.devicePath }),
    size: file.size,
    sha256: file.sha256,
    mtimeMs: stats.mtimeMs,
  };
  const remembered = known.get(file.path);
  // A name mapped otherwise than when it was verified is another file on the device.
  const sameName = (remembered?.devicePath ?? file.path) === (file.devicePath ?? file.path);
  const unchanged = remembered?.size === file.size && remembered.mtimeMs === stats.mtimeMs;
  if (remembered && sameName && unchanged) {
    return remembered.sha256 === file.sha256 ? onDevice : null;
  }
  return (await hashFile(destination, signal)) === file.sha256 ? onDevice : null;
}
