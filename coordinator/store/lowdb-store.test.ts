import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchRecord } from '../batches/model.js';
import { LowdbStore, type StoreDamage } from './lowdb-store.js';

function batch(batchId: string, createdAt: number): BatchRecord {
  return {
    batchId,
    meetingIds: ['m1'],
    serialNumbers: ['d1'],
    metadata: {},
    totalCount: 1,
    createdAt,
    updatedAt: createdAt,
    subtasks: [],
  };
}

describe('LowdbStore', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'wst-store-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps batches across reopen, oldest first', async () => {
    const store = new LowdbStore({ dataDir });
    await store.loadAll();
    await store.save(batch('batch_b', 2000));
    await store.save(batch('batch_a', 1000));

    const reopened = await new LowdbStore({ dataDir }).loadAll();
    expect(reopened.map((b) => b.batchId)).toEqual(['batch_a', 'batch_b']);
  });

  it('persists 100 concurrent changes to one batch', async () => {
    const store = new LowdbStore({ dataDir, coalesceMs: 5 });
    const record = batch('batch_c', 1);
    await store.save(record);
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 7));
        record.subtasks.push({ meetingId: `m${i}`, serialNumber: 'd1', status: 'pending' });
        store.saveLater(record);
      }),
    );
    await store.flush();

    const [reopened] = await new LowdbStore({ dataDir }).loadAll();
    expect(reopened!.subtasks).toHaveLength(100);
  });

  it('flush waits for a write that a timer already started', async () => {
    const store = new LowdbStore({ dataDir, coalesceMs: 0 });
    const record = batch('batch_e', 1);
    await store.save(record);
    record.subtasks.push({ meetingId: 'm1', serialNumber: 'd1', status: 'completed' });
    store.saveLater(record);
    await new Promise((resolve) => setTimeout(resolve, 1));

    await store.flush();

    const text = await readFile(path.join(dataDir, 'batches', 'batch_e.json'), 'utf8');
    expect(JSON.parse(text).subtasks).toHaveLength(1);
  });

  it('writes each change whether or not it names the subtask, and reads back the same batch', async () => {
    const store = new LowdbStore({ dataDir, coalesceMs: 0 });
    const record: BatchRecord = { ...batch('batch_f', 1), totalCount: 2, endedAt: undefined };
    record.subtasks.push(
      { meetingId: 'm1', serialNumber: 'd1', status: 'pending' },
      { meetingId: 'm2', serialNumber: 'd1', status: 'pending' },
    );
    await store.save(record);
    const statuses = async () => {
      const text = await readFile(path.join(dataDir, 'batches', 'batch_f.json'), 'utf8');
      return (JSON.parse(text) as BatchRecord).subtasks.map((subtask) => subtask.status);
    };

    record.subtasks[0]!.status = 'running';
    store.saveLater(record, record.subtasks[0]);
    await store.flush();
    expect(await statuses()).toEqual(['running', 'pending']);

    record.subtasks[1]!.status = 'completed';
    record.updatedAt = 5;
    store.saveLater(record);
    await store.flush();
    expect(await statuses()).toEqual(['running', 'completed']);

    const [reopened] = await new LowdbStore({ dataDir }).loadAll();
    expect(reopened).toEqual(JSON.parse(JSON.stringify(record)));
  });

  it('sets a damaged file aside and recovers the last good copy', async () => {
    const store = new LowdbStore({ dataDir });
    const record = batch('batch_d', 1);
    await store.save(record);
    record.updatedAt = 2;
    await store.save(record);
    await writeFile(path.join(dataDir, 'batches', 'batch_d.json'), '{"batchId": "batch_d", "mee');

    const damages: StoreDamage[] = [];
    const [recovered] = await new LowdbStore({ dataDir, onDamage: (d) => damages.push(d) }).loadAll();

    expect(recovered?.batchId).toBe('batch_d');
    expect(damages).toHaveLength(1);
    expect(damages[0]!.recovered).toBe(true);
    const files = await readdir(path.join(dataDir, 'batches'));
    expect(files.some((f) => f.startsWith('batch_d.json.damaged-'))).toBe(true);
  });
});
