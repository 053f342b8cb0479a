import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BatchRecord, SubtaskRecord } from '../../coordinator/batches/model.js';
import { ids } from './batch-api.js';

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * Writes `count` ended batches of `meetings × devices` completed subtasks into
 * `<dataDir>/batches/<batchId>.json`, as the coordinator's LowdbStore keeps them (one JSON
 * file per batch record), a minute apart and ending an hour ago.
 */
export async function writeStoredBatches(dataDir: string, count: number, meetings: number, devices: number) {
  const dir = path.join(dataDir, 'batches');
  await mkdir(dir, { recursive: true });
  const meetingIds = ids('m', meetings);
  const serialNumbers = ids('HISTDEV', devices, 4);
  const first = Date.now() - 3_600_000 - count * 60_000;
  let bytes = 0;

  for (let b = 0; b < count; b++) {
    const createdAt = first + b * 60_000;
    const subtasks: SubtaskRecord[] = [];
    for (const meetingId of meetingIds) {
      for (const [d, serialNumber] of serialNumbers.entries()) {
        const startedAt = createdAt + 200 + d;
        subtasks.push({
          meetingId,
          serialNumber,
          status: 'completed',
          taskId: `task_${stamp(createdAt)}_${randomBytes(4).toString('hex')}`,
          agentId: `host-${String(d % 20).padStart(2, '0')}`,
          createdAt: createdAt + 50,
          dispatchedAt: createdAt + 60,
          startedAt,
          completedAt: startedAt + 30_000,
          packageSize: 52_428_800,
          fileCount: 12,
          skippedFiles: 0,
          seq: 3,
        });
      }
    }
    const record: BatchRecord = {
      batchId: `batch_${stamp(createdAt)}_${randomBytes(3).toString('hex')}`,
      meetingIds,
      serialNumbers,
      metadata: { operator: 'bench' },
      totalCount: subtasks.length,
      createdAt,
      updatedAt: createdAt + 40_000,
      endedAt: createdAt + 40_000,
      subtasks,
    };
    const text = JSON.stringify(record);
    bytes += Buffer.byteLength(text);
    await writeFile(path.join(dir, `${record.batchId}.json`), text);
  }
  return { bytes };
}
