import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from './copy-error.js';

export const PART_SUFFIX = '.wst-part';

/**
 * Removes temporary files that an earlier copy into `meetingDir` left behind: a killed agent,
 * or a device pulled out mid-file and plugged in again, cannot clean up after itself. Only one
 * copy runs per device at a time, so no temporary file here is in use. Returns what it removed.
 */
export async function removeStaleParts(meetingDir: string): Promise<string[]> {
  const entries = await readdir(meetingDir, { recursive: true, withFileTypes: true }).catch(
    (error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    },
  );
  const stale = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(PART_SUFFIX))
    .map((entry) => path.join(entry.parentPath, entry.name));
  for (const file of stale) await rm(file, { force: true });
  return stale.map((file) => path.relative(meetingDir, file));
}
