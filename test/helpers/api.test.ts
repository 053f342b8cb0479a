import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, pollUntil } from './api.js';

/** The contract's own example bodies, served as is. */
const examples: Record<string, unknown> = {
  'POST /api/v1/mount/sync/batch': {
    code: 200,
    data: {
      batchId: 'batch_20251110_172109_abc123',
      totalCount: 4,
      status: 'pending',
      createdAt: 1699610469,
    },
  },
  'GET /api/v1/mount/sync/batch/batch_20251110_172109_abc123/status': {
    code: 200,
    data: {
      batchId: 'batch_20251110_172109_abc123',
      status: 'running',
      totalCount: 4,
      createdCount: 3,
      statusCounts: { pending: 0, running: 1, completed: 2, failed: 0 },
      createdAt: 1699610469,
      updatedAt: 1699610500,
      duration: 31.5,
    },
  },
  'GET /api/v1/mount/sync/batch/batch_20251110_172109_abc123/tasks': {
    code: 200,
    data: {
      batchId: 'batch_20251110_172109_abc123',
      tasks: [
        {
          taskId: 'task_20251110_172109_a68e8684',
          meetingId: 'meeting-id-1',
          serialNumber: 'WST300LX1000600',
          status: 'completed',
          createdAt: '2025-11-10T17:21:09Z',
          completedAt: '2025-11-10T17:21:50Z',
          packageSize: 165905,
          fileCount: 1,
        },
        {
          meetingId: 'meeting-id-2',
          serialNumber: 'WST300LX1000600',
          status: 'failed',
          errorCode: 1001,
          errorMessage: '设备未在线',
        },
      ],
    },
  },
  'GET /api/v1/mount/sync/batch': {
    code: 200,
    data: {
      tasks: [
        {
          batchId: 'batch_20251110_172109_abc123',
          status: 'completed',
          totalCount: 4,
          createdAt: '2025-11-10T17:21:09Z',
        },
      ],
      total: 1,
    },
  },
  'GET /api/v1/mount/sync/batch/broken/status': {
    code: 200,
    data: { batchId: 'broken', status: 'done' },
  },
};

describe('ApiClient against the contract examples', () => {
  let server: Server;
  let api: ApiClient;
  const seen: { method?: string; url?: string; body: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, auth: req.headers.authorization });
        const example = examples[`${req.method} ${req.url}`];
        res.writeHead(example ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(example ?? { code: 404, message: 'batch not found' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      authorization: 'Bearer t',
    });
  });
  afterAll(() => server.close());

  it('parses every example body and sends the request as JSON', async () => {
    const created = await api.createBatch({ meetingIds: ['m1'], serialNumbers: ['S1'] });
    expect(created.status).toBe('pending');
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/v1/mount/sync/batch',
      body: '{"meetingIds":["m1"],"serialNumbers":["S1"]}',
      auth: 'Bearer t',
    });

    expect((await api.getStatus(created.batchId)).statusCounts.completed).toBe(2);
    expect((await api.getTasks(created.batchId)).tasks[1]).toMatchObject({ errorCode: 1001 });
    expect((await api.listBatches()).total).toBe(1);
  });

  it('throws ApiError on an error status and on a body that breaks the contract', async () => {
    await expect(api.getStatus('nope')).rejects.toBeInstanceOf(ApiError);
    await expect(api.getStatus('broken')).rejects.toThrow(/broke the contract/);
    expect(await api.request('GET', '/api/v1/mount/sync/batch/nope/status')).toMatchObject({
      status: 404,
      body: { code: 404, message: 'batch not found' },
    });
  });

  it('builds the progress stream URL with the serial number as a query parameter', () => {
    expect(api.progressUrl('task_1', 'WST300LX1000600')).toBe(
      `${api.baseUrl}/api/v1/mount/sync/tasks/task_1/progress/stream?serialNumber=WST300LX1000600`,
    );
  });

  it('polls until the predicate holds and reports the last value on timeout', async () => {
    let n = 0;
    await expect(
      pollUntil(
        () => ++n,
        (v) => v >= 3,
        { intervalMs: 5 },
      ),
    ).resolves.toBe(3);
    await expect(
      pollUntil(
        () => 'running',
        (v) => v === 'completed',
        { timeoutMs: 50, intervalMs: 10, description: 'batch' },
      ),
    ).rejects.toThrow('waiting for batch; last value: "running"');
  });
});
