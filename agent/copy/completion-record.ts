import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { COMPLETION_RECORD } from '../../shared/manifest.js';
import { writeFileAtomically } from './write-file.js';

export interface CompletionRecord {
  meetingId: string;
  taskId: string;
  batchId: string;
  completedAt: string;
  packageSize: number;
  fileCount: number;
  /** `path` is the library's name; `devicePath` is set where the file lies under another. */
  files: { path: string; devicePath?: string; size: number; sha256: string }[];
}

/** Writes `.wst-sync.json` into the meeting folder the same way as a meeting file. */
export async function writeCompletionRecord(
  meetingDir: string,
  record: CompletionRecord,
): Promise<void> {
  const bytes = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFileAtomically([bytes], path.join(meetingDir, COMPLETION_RECORD), {
    size: bytes.length,
    sha256,
  });
}

/** Removes the record before files change, so the device never sees an outdated one. */
export async function removeCompletionRecord(meetingDir: string): Promise<void> {
  await rm(path.join(meetingDir, COMPLETION_RECORD), { force: true });
}
