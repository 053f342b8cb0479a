import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ids } from './batch-api.js';

/** `count` meetings `m000`.. in `meetingsDir`, each a folder with one 16-byte file. */
export async function makeTinyMeetings(meetingsDir: string, count: number): Promise<string[]> {
  const meetingIds = ids('m', count);
  for (const meetingId of meetingIds) {
    await mkdir(path.join(meetingsDir, meetingId), { recursive: true });
    await writeFile(path.join(meetingsDir, meetingId, 'agenda.txt'), `${meetingId} agenda.....\n`.slice(0, 16));
  }
  return meetingIds;
}
