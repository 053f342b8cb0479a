import { statfs } from 'node:fs/promises';

export interface DeviceSpace {
  freeBytes: number;
  totalBytes: number;
}

/**
 * Free (available to this user) and total bytes of the filesystem holding `mountPath`; null
 * when the filesystem does not tell (fusefat answers statfs with all zeros).
 */
export async function readSpace(mountPath: string): Promise<DeviceSpace | null> {
  const stats = await statfs(mountPath);
  if (stats.blocks === 0) return null;
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
