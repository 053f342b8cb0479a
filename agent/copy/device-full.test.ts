import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { startMeetingServer, type MeetingServer } from '../testing/meeting-server.js';
import { copyMeeting } from './copy-meeting.js';

/** A real 1 MiB tmpfs fills up the way a full device does. Needs root and mount(2). */
function mountTmpfs(target: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', target], { stdio: 'pipe' });
}

/** Why this machine cannot run these tests, found by mounting and unmounting a probe. */
function whyNotMountable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = mkdtempSync(path.join(tmpdir(), 'wst-probe-'));
  try {
    mountTmpfs(probe);
    execFileSync('umount', [probe]);
    return null;
  } catch (error) {
    return `mount -t tmpfs failed: ${String(error).split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const skipReason = whyNotMountable();
if (skipReason) console.warn(`device-full tests skipped: ${skipReason}`);

let root: string;
let mountPath: string;
let server: MeetingServer;

const request = (meetingId: string) => ({
  endpoint: { baseUrl: server.url, agentId: 'host-a', token: 't' },
  taskId: 'task_20251110_172109_a68e8684',
  batchId: 'batch_20251110_172109_abc123',
  meetingId,
  mountPath,
  retryDelayMs: 5,
});

describe.skipIf(skipReason)('copyMeeting on a full device (tmpfs)', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'wst-full-'));
    mountPath = path.join(root, 'WST300LX1000999');
    await mkdir(mountPath);
    mountTmpfs(mountPath);
    server = await startMeetingServer({
      big: { 'recording.mp4': Buffer.alloc(2 * 1024 * 1024, 1) },
      fits: { 'slides.pdf': Buffer.alloc(700 * 1024, 2) },
    });
  });
  afterAll(async () => {
    await server?.close();
    execFileSync('umount', [mountPath]);
    await rm(root, { recursive: true, force: true });
  });

  it('fails with 1004 up front when the package does not fit', async () => {
    const error = await copyMeeting(request('big')).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.DeviceFull });
    expect(await readdir(mountPath)).toEqual([]);
  });

  it('maps ENOSPC during a write to 1004 and removes the partial file', async () => {
    server.intercept = (req) => {
      // The device fills up after the space check, while the download runs.
      const filler = path.join(mountPath, 'filler');
      if (req.url?.includes('/files/')) writeFileSync(filler, Buffer.alloc(600 * 1024));
      return false;
    };

    const error = await copyMeeting(request('fits')).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: ErrorCode.DeviceFull,
      detail: expect.stringContaining('ENOSPC'),
    });
    expect(await readdir(path.join(mountPath, 'meetings', 'fits'))).toEqual([]);
  });
});
