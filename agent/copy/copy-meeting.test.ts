import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { startMeetingServer, type MeetingServer } from '../testing/meeting-server.js';
import { CopyError } from './copy-error.js';
import { copyMeeting, type CopyMeetingRequest } from './copy-meeting.js';

let root: string;
let mountPath: string;
let server: MeetingServer;

const meeting = {
  'agenda.txt': Buffer.from('1. welcome\n2. budget\n'),
  'slides/deck one.pdf': Buffer.alloc(3 * 1024 * 1024 + 17, 7),
  'slides/notes.md': Buffer.from('# notes'),
};

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'wst-copy-'));
  mountPath = path.join(root, 'WST300LX1000560');
  await mkdir(mountPath);
  server = await startMeetingServer({ m1: meeting });
});
afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function request(extra: Partial<CopyMeetingRequest> = {}): CopyMeetingRequest {
  return {
    endpoint: { baseUrl: server.url, agentId: 'host-a', token: 't' },
    taskId: 'task_20251110_172109_a68e8684',
    batchId: 'batch_20251110_172109_abc123',
    meetingId: 'm1',
    mountPath,
    retryDelayMs: 5,
    ...extra,
  };
}

const meetingDir = () => path.join(mountPath, 'meetings', 'm1');
const fileRequests = () => server.requests.filter((r) => r.path.includes('/files/')).length;

describe('copyMeeting', () => {
  it('copies many files at once under one signal without a listener-leak warning', async () => {
    // 1 MiB each: too big for bundles, so every one is a request of its own, 16 at a time.
    const many = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`docs/d${i}.bin`, Buffer.alloc(1024 * 1024, i)]),
    );
    await server.close();
    server = await startMeetingServer({ m1: many });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      await copyMeeting(request({ signal: new AbortController().signal }));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
    expect(await readdir(path.join(meetingDir(), 'docs'))).toHaveLength(20);
  });

  it('copies every file byte for byte and writes the completion record last', async () => {
    const done: string[] = [];

    const result = await copyMeeting(request({ onFileDone: (file) => done.push(file.path) }));

    for (const [name, bytes] of Object.entries(meeting)) {
      expect((await readFile(path.join(meetingDir(), name))).equals(bytes)).toBe(true);
    }
    const record = JSON.parse(await readFile(path.join(meetingDir(), '.wst-sync.json'), 'utf8'));
    expect(record).toMatchObject({ meetingId: 'm1', taskId: request().taskId, fileCount: 3 });
    expect(record.files.map((f: { path: string }) => f.path)).toEqual(Object.keys(meeting));
    expect(result).toEqual({ packageSize: 3 * 1024 * 1024 + 45, fileCount: 3, skippedFiles: 0 });
    // Small files are copied several at a time, so they may finish in any order.
    expect([...done].sort()).toEqual(Object.keys(meeting).sort());
    expect(await readdir(path.join(meetingDir(), 'slides'))).toEqual(['deck one.pdf', 'notes.md']);
  });

  it('skips files that are already there on a second run', async () => {
    await copyMeeting(request());
    const before = fileRequests();

    const result = await copyMeeting(request());

    expect(result.skippedFiles).toBe(3);
    expect(fileRequests()).toBe(before);
  });

  it('removes the temporary files an interrupted earlier copy left, even of files now skipped', async () => {
    await copyMeeting(request());
    await writeFile(path.join(meetingDir(), '.agenda.txt.wst-part'), 'half');
    await writeFile(path.join(meetingDir(), 'slides', '.old-name.pdf.wst-part'), 'half');
    const removed: string[] = [];

    await copyMeeting(request({ onStaleParts: (files) => removed.push(...files) }));

    expect(removed.sort()).toEqual(['.agenda.txt.wst-part', 'slides/.old-name.pdf.wst-part']);
    expect(await readdir(path.join(meetingDir(), 'slides'))).toEqual(['deck one.pdf', 'notes.md']);
  });

  it('retries a file whose download fails and then succeeds', async () => {
    let failures = 2;
    server.intercept = (req, res) => {
      if (!req.url?.endsWith('notes.md') || failures-- <= 0) return false;
      res.writeHead(502).end();
      return true;
    };

    const result = await copyMeeting(request());

    expect(result.fileCount).toBe(3);
    expect(server.requests.filter((r) => r.path.endsWith('notes.md'))).toHaveLength(3);
  });

  it('fails with 1007 when the served bytes do not match the manifest', async () => {
    server.intercept = (req, res) => {
      if (!req.url?.endsWith('agenda.txt')) return false;
      res.writeHead(200).end(Buffer.from('1. welcome\n2. BUDGET\n'));
      return true;
    };

    const error = await copyMeeting(request()).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.ChecksumMismatch });
    // Nothing under the bad file's name, no temporary file, no completion record; files copied
    // alongside it that did verify may stay (a retry skips them).
    const left = await readdir(meetingDir(), { recursive: true });
    expect(left).not.toContain('agenda.txt');
    expect(left.filter((f) => String(f).includes('.wst-part') || String(f).endsWith('.wst-sync.json'))).toEqual([]);
  });

  it.each(['../../escape.txt', '.wst-sync.json', '.WST-Sync.JSON', 'agenda.txt'])(
    'fails with 1011 and writes nothing when the manifest lists %s (unsafe, reserved or twice)',
    async (badPath) => {
      const good = server.manifest('m1');
      const files = [...good.files, { path: badPath, size: 1, sha256: '0'.repeat(64) }];
      server.intercept = (req, res) => {
        if (!req.url?.endsWith('/manifest')) return false;
        res.writeHead(200).end(JSON.stringify({ code: 200, data: { ...good, files } }));
        return true;
      };

      const error = await copyMeeting(request()).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.InvalidManifest });
      expect(await readdir(root)).toEqual(['WST300LX1000560']);
      expect(await readdir(mountPath)).toEqual([]);
      expect(fileRequests()).toBe(0);
    },
  );

  it('fails with 1002 for a meeting the coordinator does not know', async () => {
    const error = await copyMeeting(request({ meetingId: 'm404' })).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.MeetingNotFound });
  });

  it('fails with 1003 when the device directory is gone', async () => {
    await rm(mountPath, { recursive: true });

    const error = await copyMeeting(request()).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.DeviceRemoved });
  });

  it('refuses to write through a link that leaves the meeting folder', async () => {
    const outside = path.join(root, 'outside');
    await mkdir(outside);
    await mkdir(meetingDir(), { recursive: true });
    await symlink(outside, path.join(meetingDir(), 'slides'));

    const error = await copyMeeting(request()).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.WriteFailed });
    expect(await readdir(outside)).toEqual([]);
  });

  it('fails with 1010 when a file is bigger than the filesystem allows', async () => {
    const error = await copyMeeting(request({ maxFileSize: 1024 * 1024 })).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.FileTooLarge });
  });

  it('stops with the abort reason and leaves no temporary file', async () => {
    const controller = new AbortController();
    const reason = new CopyError(ErrorCode.Cancelled, 'by test');

    const error = await copyMeeting(
      request({
        signal: controller.signal,
        blockSize: 64 * 1024,
        onBytes: () => controller.abort(reason),
      }),
    ).catch((e: unknown) => e);

    expect(error).toBe(reason);
    const left = await readdir(path.join(meetingDir(), 'slides')).catch(() => []);
    expect(left.filter((name) => name.endsWith('.wst-part'))).toEqual([]);
  });
});
