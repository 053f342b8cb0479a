/**
 * Issue 3, "flushed before done": records every fsync and rename the agent makes (through the real
 * `node:fs/promises`, observed) and every message it publishes, and checks their order. 100% and
 * `completed` may only be told once the files, their directory entries and the completion record
 * are on the device, and the journal says completed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../journal/journal.js';
import { startMeetingServer, type MeetingServer } from '../testing/meeting-server.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskRunner } from './task-runner.js';

const recorder = vi.hoisted(() => ({ ops: [] as string[], root: '' }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const name = (file: unknown) => path.relative(recorder.root, String(file)) || '.';
  const open: typeof fs.open = async (file, flags, mode) => {
    const handle = await fs.open(file, flags, mode);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      await sync();
      recorder.ops.push(`fsync ${name(file)}`);
    };
    return handle;
  };
  const rename: typeof fs.rename = async (from, to) => {
    await fs.rename(from, to);
    recorder.ops.push(`rename ${name(from)} -> ${name(to)}`);
  };
  return { ...fs, open, rename, default: { ...fs, open, rename } };
});

let server: MeetingServer;
let journal: Journal;

beforeEach(async () => {
  recorder.root = await mkdtemp(path.join(tmpdir(), 'wst-flush-'));
  recorder.ops.length = 0;
  await mkdir(path.join(recorder.root, 'dev'));
  server = await startMeetingServer({
    m1: { 'agenda.txt': Buffer.from('agenda'), 'slides/deck.pdf': Buffer.alloc(300_000, 5) },
  });
  journal = await Journal.open(path.join(recorder.root, 'data'));
});
afterEach(async () => {
  await server.close();
  await rm(recorder.root, { recursive: true, force: true });
});

describe('the order in which a copy is flushed and told', () => {
  it('fsyncs each file before its rename and its directory after, and tells 100% and completed only after the completion record and the journal are flushed', async () => {
    const { ops } = recorder;
    const runner = new TaskRunner({
      journal,
      publisher: {
        publishTaskState: (state) => void ops.push(`publish ${state.state}`),
        publishProgress: (progress) => void ops.push(`progress ${progress.percent}`),
      },
      locate: () => ({ mountPath: path.join(recorder.root, 'dev') }),
      endpoint: { baseUrl: server.url, agentId: 'host-a', token: 't' },
      progressIntervalMs: 0,
      bwlimit: 0,
      logger: pino({ level: 'silent' }),
    });
    runner.deviceOnline('S1');
    await runner.sync({
      type: 'sync',
      taskId: 'task_20251110_172109_a68e8684',
      batchId: 'batch_20251110_172109_abc123',
      meetingId: 'm1',
      serialNumber: 'S1',
      issuedAt: Date.now(),
    });
    await waitFor('completed', () => ops.includes('publish completed'));

    const at = (op: string) => {
      const index = ops.indexOf(op);
      expect(index, `${op} in\n${ops.join('\n')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const last = (op: string) => ops.lastIndexOf(op);
    const meeting = 'dev/meetings/m1';

    // New directories: each entry flushed in its parent before files land in it.
    const firstPart = at(`fsync ${meeting}/.agenda.txt.wst-part`);
    expect(at('fsync dev')).toBeLessThan(firstPart);
    expect(at('fsync dev/meetings')).toBeLessThan(firstPart);
    expect(at(`fsync ${meeting}`)).toBeLessThan(at(`fsync ${meeting}/slides/.deck.pdf.wst-part`));

    // Every file: data flushed, renamed into place, directory entry flushed.
    for (const [dir, name] of [
      [meeting, 'agenda.txt'],
      [`${meeting}/slides`, 'deck.pdf'],
      [meeting, '.wst-sync.json'],
    ] as const) {
      const flushed = at(`fsync ${dir}/.${name}.wst-part`);
      const renamed = at(`rename ${dir}/.${name}.wst-part -> ${dir}/${name}`);
      const entry = ops.indexOf(`fsync ${dir}`, renamed);
      expect(flushed).toBeLessThan(renamed);
      expect(entry, `fsync ${dir} after the rename of ${name}`).toBeGreaterThan(renamed);
    }

    // The completion record is the last thing on the device, and it is flushed before 100%.
    const recordRenamed = at(
      `rename ${meeting}/..wst-sync.json.wst-part -> ${meeting}/.wst-sync.json`,
    );
    // Every file's directory entry is flushed before the completion record is written.
    const recordStarted = at(`fsync ${meeting}/..wst-sync.json.wst-part`);
    for (const [dir, name] of [[meeting, 'agenda.txt'], [`${meeting}/slides`, 'deck.pdf']] as const) {
      const renamed = at(`rename ${dir}/.${name}.wst-part -> ${dir}/${name}`);
      expect(ops.indexOf(`fsync ${dir}`, renamed)).toBeLessThan(recordStarted);
    }
    const recordEntry = ops.indexOf(`fsync ${meeting}`, recordRenamed);
    const lastDeviceOp = Math.max(...ops.map((op, i) => (/^(fsync|rename) dev/.test(op) ? i : -1)));
    expect(lastDeviceOp).toBe(recordEntry);
    expect(ops.indexOf('progress 100')).toBeGreaterThan(recordEntry);

    // completed: written to the journal (file, rename, directory) before it is published.
    const published = at('publish completed');
    expect(published).toBe(ops.length - 1);
    expect(last('rename data/journal.json.tmp -> data/journal.json')).toBeLessThan(published);
    expect(last('fsync data')).toBeGreaterThan(
      last('rename data/journal.json.tmp -> data/journal.json'),
    );
    expect(last('fsync data')).toBeLessThan(published);
    expect(ops.indexOf('progress 100')).toBeLessThan(published);
  });
});
