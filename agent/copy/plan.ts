import { lstat } from 'node:fs/promises';
import type { ManifestFile } from '../../shared/manifest.js';
import { resolveInside } from '../../shared/safe-path.js';
import { errnoCode } from './copy-error.js';
import { hashFile } from '../../shared/hash-file.js';

/** A file known to be on the device with this content, as the journal remembers it. */
export interface VerifiedFile {
  path: string;
  size: number;
  sha256: string;
  mtimeMs: number;
}

export interface CopyPlan {
  copy: ManifestFile[];
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
  files: readonly ManifestFile[],
  meetingDir: string,
  verified: readonly VerifiedFile[] = [],
  signal?: AbortSignal,
): Promise<CopyPlan> {
  const known = new Map(verified.map((file) => [file.path, file]));
  const plan: CopyPlan = { copy: [], skip: [], bytesToCopy: 0 };

  for (const file of files) {
    const onDevice = await findIdentical(file, resolveInside(meetingDir, file.path), known, signal);
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
  file: ManifestFile,
  destination: string,
  known: Map<string, VerifiedFile>,
  signal?: AbortSignal,
): Promise<VerifiedFile | null> {
  const stats = await lstat(destination).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    throw error;
  });
  if (!stats?.isFile() || stats.size !== file.size) return null;

  const onDevice = {
    path: file.path,
    size: file.size,
    sha256: file.sha256,
    mtimeMs: stats.mtimeMs,
  };
  const remembered = known.get(file.path);
  if (remembered && remembered.size === file.size && remembered.mtimeMs === stats.mtimeMs) {
    return remembered.sha256 === file.sha256 ? onDevice : null;
  }
  return (await hashFile(destination, signal)) === file.sha256 ? onDevice : null;
}
