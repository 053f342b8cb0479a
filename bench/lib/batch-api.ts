import { performance } from 'node:perf_hooks';
import { dataOf, type HttpClient } from './http-client.js';
import { sleep } from './stats.js';

const BATCHES = '/api/v1/mount/sync/batch';

export interface StatusData {
  batchId: string;
  status: string;
  totalCount: number;
  createdCount: number;
  statusCounts: Record<'pending' | 'running' | 'completed' | 'failed' | 'cancelled', number>;
}

export interface TaskData {
  taskId?: string;
  meetingId: string;
  serialNumber: string;
  status: string;
}

export const paths = {
  batches: BATCHES,
  status: (batchId: string) => `${BATCHES}/${batchId}/status`,
  tasks: (batchId: string) => `${BATCHES}/${batchId}/tasks`,
  progress: (taskId: string, serialNumber: string) =>
    `/api/v1/mount/sync/tasks/${taskId}/progress/stream?serialNumber=${serialNumber}`,
};

/** POSTs a batch; resolves with its id and the request's latency. */
export async function createBatch(
  client: HttpClient,
  meetingIds: string[],
  serialNumbers: string[],
): Promise<{ batchId: string; ms: number }> {
  const response = await client.post(BATCHES, { meetingIds, serialNumbers });
  const { batchId } = dataOf<{ batchId: string }>(response, 'create batch');
  return { batchId, ms: response.ms };
}

export async function getStatus(client: HttpClient, batchId: string): Promise<StatusData> {
  return dataOf<StatusData>(await client.get(paths.status(batchId)), 'batch status');
}

export async function getTasks(client: HttpClient, batchId: string): Promise<TaskData[]> {
  return dataOf<{ tasks: TaskData[] }>(await client.get(paths.tasks(batchId)), 'batch tasks').tasks;
}

/**
 * Polls the batch status every `intervalMs` until `done` holds; resolves with that status and
 * the time since `since` (a performance.now() reading) at which it was seen.
 */
export async function pollStatus(
  client: HttpClient,
  batchId: string,
  done: (status: StatusData) => boolean,
  { intervalMs = 10, timeoutMs = 120_000, since = performance.now() } = {},
): Promise<{ status: StatusData; ms: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await getStatus(client, batchId);
    if (done(status)) return { status, ms: performance.now() - since };
    if (performance.now() > deadline) {
      throw new Error(`batch ${batchId} not done in ${timeoutMs} ms: ${JSON.stringify(status)}`);
    }
    await sleep(intervalMs);
  }
}

export const isEnded = (s: StatusData) => s.status !== 'pending' && s.status !== 'running';
export const allCreated = (s: StatusData) => s.createdCount === s.totalCount;

/** `m000`, `m001`, ...; `SER000`, ... */
export function ids(prefix: string, count: number, width = 3): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
}

/** Waits until the coordinator lists at least `count` online devices. */
export async function waitForDevices(client: HttpClient, count: number, timeoutMs = 120_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await client.get('/api/v1/mount/devices');
    const { total } = dataOf<{ total: number }>(response, 'devices');
    if (total >= count) return;
    if (performance.now() > deadline) throw new Error(`only ${total} of ${count} devices online`);
    await sleep(50);
  }
}
