/**
 * A demo meeting library and two demo devices, so `npm start` has something to copy. Writes only
 * what is missing (a file of the wrong size counts as missing) and never deletes anything.
 *
 *   tsx scripts/demo-seed.ts        # seeds ./var/meetings and ./var/mounts
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDeviceDir } from '../test/helpers/devices.js';
import { makeMeeting, type MeetingSpec } from '../test/helpers/library.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEMO_MEETINGS: Record<string, MeetingSpec> = {
  'demo-board-meeting': {
    'agenda.pdf': 200 * KiB,
    'slides/q4-review.pptx': 3 * MiB,
    'attachments/budget-2026.xlsx': 84 * KiB,
    'attachments/members.txt':
      'Chair: A. Lin\nSecretary: B. Zhou\nMembers: C. Wang, D. Li, E. Chen\n',
    'README.txt': 'Board meeting, Q4 review. Demo package made by scripts/demo-seed.ts.\n',
  },
  'demo-annual-review': {
    'recording.mp4': 120 * MiB,
    'minutes.docx': 60 * KiB,
  },
};

/** Device directory name → serial number in `.wst300/device.json` (none: the name is the serial). */
export const DEMO_DEVICES: Record<string, string | undefined> = {
  WST300LX1000560: undefined,
  WST300LX1000600: 'WST300LX1000600',
};

export interface SeedOptions {
  meetingsDir?: string;
  mountRoot?: string;
  log?: (line: string) => void;
}

export async function seedDemo(options: SeedOptions = {}): Promise<void> {
  const meetingsDir = path.resolve(options.meetingsDir ?? 'var/meetings');
  const mountRoot = path.resolve(options.mountRoot ?? 'var/mounts');
  const log = options.log ?? (() => undefined);

  for (const [meetingId, files] of Object.entries(DEMO_MEETINGS)) {
    const missing = Object.entries(files).filter(([file, content]) => {
      const target = path.join(meetingsDir, meetingId, file);
      return !existsSync(target) || statSync(target).size !== sizeOf(content);
    });
    if (missing.length === 0) continue;
    await makeMeeting(meetingsDir, meetingId, Object.fromEntries(missing));
    log(`seeded ${meetingId}: ${missing.map(([file]) => file).join(', ')}`);
  }

  for (const [name, serialNumber] of Object.entries(DEMO_DEVICES)) {
    if (existsSync(path.join(mountRoot, name))) continue;
    await makeDeviceDir(mountRoot, name, serialNumber);
    log(`made device directory ${path.join(mountRoot, name)}`);
  }
}

function sizeOf(content: MeetingSpec[string]): number {
  return typeof content === 'number' ? content : Buffer.byteLength(content);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await seedDemo({
    meetingsDir: process.env.WST_MEETINGS_DIR,
    mountRoot: process.env.WST_MOUNT_ROOT,
    log: (line) => console.log(line),
  });
  console.log('demo library ready');
}
