import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeetingLibrary } from './library.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('MeetingLibrary', () => {
  let dir: string;
  let outside: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wst-lib-'));
    outside = await mkdtemp(path.join(tmpdir(), 'wst-outside-'));
    await mkdir(path.join(dir, 'm1', 'slides'), { recursive: true });
    await writeFile(path.join(dir, 'm1', 'agenda.pdf'), 'agenda');
    await writeFile(path.join(dir, 'm1', 'slides', 'deck.pptx'), 'deck!');
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'm1', 'link.txt'));
    await symlink(outside, path.join(dir, 'm1', 'linked-dir'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('lists regular files with size and sha256, and never a symbolic link', async () => {
    const manifest = await new MeetingLibrary(dir).manifest('m1');
    expect(manifest).toEqual({
      meetingId: 'm1',
      fileCount: 2,
      totalBytes: 11,
      files: [
        { path: 'agenda.pdf', size: 6, sha256: sha('agenda') },
        { path: 'slides/deck.pptx', size: 5, sha256: sha('deck!') },
      ],
    });
  });

  it('hashes a file again when it was rewritten in place with its old size and mtime', async () => {
    const library = new MeetingLibrary(dir);
    const file = path.join(dir, 'm1', 'agenda.pdf');
    const before = await stat(file);
    await library.manifest('m1');

    await writeFile(file, 'AGENDA');
    await utimes(file, before.atime, before.mtime);

    const manifest = await library.manifest('m1');
    expect(manifest?.files[0]).toEqual({ path: 'agenda.pdf', size: 6, sha256: sha('AGENDA') });
  });

  it('answers null for an unknown or ill-formed meeting id', async () => {
    const library = new MeetingLibrary(dir);
    expect(await library.manifest('nope')).toBeNull();
    expect(await library.has('..')).toBe(false);
  });

  it('opens only files the manifest lists, never through a link', async () => {
    const library = new MeetingLibrary(dir);
    const opened = await library.openFile('m1', 'slides/deck.pptx');
    expect(opened?.path).toBe(path.join(dir, 'm1', 'slides', 'deck.pptx'));
    expect(opened?.size).toBe(5);
    await opened?.handle.close();
    execFileSync('mkfifo', [path.join(dir, 'm1', 'pipe')]);
    const refusals = ['link.txt', 'linked-dir/secret.txt', '../m1/agenda.pdf', '/etc/passwd', 'slides', 'pipe'];
    for (const refused of refusals) {
      expect(await library.openFile('m1', refused)).toBeNull();
    }
  });

  it('summarises each meeting for the library listing', async () => {
    expect(await new MeetingLibrary(dir).list()).toEqual([
      { meetingId: 'm1', fileCount: 2, totalBytes: 11 },
    ]);
  });
});
