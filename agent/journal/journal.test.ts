import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncCommand } from '../../shared/messages.js';
import { Journal } from './journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-journal-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const command = (taskId: string): SyncCommand => ({
  type: 'sync',
  taskId,
  batchId: 'batch_20251110_172109_abc123',
  meetingId: 'meeting-1',
  serialNumber: 'WST300LX1000560',
  issuedAt: 1_700_000_000_000,
});

const readDisk = async () => JSON.parse(await readFile(path.join(dir, 'journal.json'), 'utf8'));

describe('Journal', () => {
  it('keeps tasks, seq and verified files across a reopen', async () => {
    const journal = await Journal.open(dir);
    journal.accept(command('t1'));
    journal.transition('t1', 'running');
    journal.addVerified('t1', { path: 'a.pdf', size: 3, sha256: 'ab', mtimeMs: 5 });
    await journal.flush();

    const reopened = await Journal.open(dir);

    expect(reopened.get('t1')).toMatchObject({ state: 'running', seq: 2, command: command('t1') });
    expect(reopened.verifiedFiles('t1')).toEqual([
      { path: 'a.pdf', size: 3, sha256: 'ab', mtimeMs: 5 },
    ]);
  });

  it('coalesces changes into a later write and writes at once on flush', async () => {
    const journal = await Journal.open(dir, { coalesceMs: 10_000 });
    journal.accept(command('t1'));
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(await readdir(dir)).toEqual([]);
    await journal.flush();
    expect((await readDisk()).tasks.t1.state).toBe('accepted');
  });

  it('writes verified files at a slower pace, and a state change still at its own', async () => {
    const journal = await Journal.open(dir, { coalesceMs: 20, verifiedCoalesceMs: 10_000 });
    journal.accept(command('t1'));
    await journal.flush();
    journal.addVerified('t1', { path: 'a.pdf', size: 3, sha256: 'ab', mtimeMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readDisk()).tasks.t1.verified).toEqual({});

    journal.transition('t1', 'running');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readDisk()).tasks.t1).toMatchObject({ state: 'running', verified: { 'a.pdf': {} } });
  });

  it('flushes every change made by concurrent callers', async () => {
    const journal = await Journal.open(dir);
    const flushes = Array.from({ length: 50 }, (_, i) => {
      journal.accept(command(`t${i}`));
      return journal.flush();
    });
    await Promise.all(flushes);

    expect(Object.keys((await readDisk()).tasks)).toHaveLength(50);
  });

  it('sets a corrupt file aside and starts empty', async () => {
    await writeFile(path.join(dir, 'journal.json'), '{"version":1,"tasks":{"t1":');

    const journal = await Journal.open(dir, { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });

    expect(journal.all()).toEqual([]);
    expect(await readdir(dir)).toEqual(['journal.json.corrupt-2025-01-02T03-04-05-000Z']);
    expect(journal.corruptCopy).toMatch(/journal\.json\.corrupt-2025-01-02T03-04-05-000Z$/);
  });

  it('sets aside a file that is JSON but not a journal', async () => {
    await writeFile(path.join(dir, 'journal.json'), '{"tasks":[1,2]}');

    const journal = await Journal.open(dir);

    expect(journal.corruptCopy).toBeDefined();
    expect(journal.all()).toEqual([]);
  });

  it('prunes terminal tasks older than seven days at open, keeping unfinished ones', async () => {
    let now = Date.UTC(2025, 0, 1);
    const journal = await Journal.open(dir, { now: () => now });
    journal.accept(command('old-done'));
    journal.transition('old-done', 'completed');
    journal.accept(command('old-running'));
    journal.transition('old-running', 'running');
    await journal.flush();

    now += 8 * 24 * 60 * 60 * 1000;
    const reopened = await Journal.open(dir, { now: () => now });

    expect(reopened.all().map((r) => r.command.taskId)).toEqual(['old-running']);
  });
});
