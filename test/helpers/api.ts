import type { z } from 'zod';
import {
  BatchList,
  BatchStatusData,
  BatchTasks,
  CreatedBatch,
  Envelope,
  type CreateBatchBody,
} from './contract.js';
import { readSse, type ReadSseOptions, type SseReader } from './sse.js';

export { pollUntil, sleep } from './wait.js';
import { pollUntil, type PollOptions } from './wait.js';

/** Batch statuses after which nothing changes any more. */
export const BATCH_ENDED: readonly string[] = ['completed', 'partial_failed', 'failed', 'cancelled'];
export { readSse } from './sse.js';
export type { SseFrame, SseResult, SseReader, ReadSseOptions } from './sse.js';
export type * from './contract.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  text: string;
}

/** Thrown when a typed call does not get `200 {code: 200, data}` in the contract's shape. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly response: RawResponse,
  ) {
    super(`${message}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
  }
}

/** A small client for the batch sync API; every success body is checked against the contract. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  createBatch(body: CreateBatchBody, headers?: Record<string, string>): Promise<CreatedBatch> {
    return this.call(CreatedBatch, 'POST', '/api/v1/mount/sync/batch', body, headers);
  }

  getStatus(batchId: string): Promise<BatchStatusData> {
    return this.call(BatchStatusData, 'GET', `/api/v1/mount/sync/batch/${enc(batchId)}/status`);
  }

  getTasks(batchId: string): Promise<BatchTasks> {
    return this.call(BatchTasks, 'GET', `/api/v1/mount/sync/batch/${enc(batchId)}/tasks`);
  }

  listBatches(): Promise<BatchList> {
    return this.call(BatchList, 'GET', '/api/v1/mount/sync/batch');
  }

  /** Polls the batch until it has ended (any of `BATCH_ENDED`) and returns its last status. */
  waitForBatchEnd(batchId: string, options: PollOptions = {}): Promise<BatchStatusData> {
    return pollUntil(
      () => this.getStatus(batchId),
      (status) => BATCH_ENDED.includes(status.status),
      { intervalMs: 100, description: `batch ${batchId} to end`, ...options },
    );
  }

  /** Polls `GET /api/v1/mount/devices` until exactly `count` devices are online. */
  waitForDevices(count: number, options: PollOptions = {}): Promise<RawResponse> {
    return pollUntil(
      () => this.request('GET', '/api/v1/mount/devices'),
      (res) => (res.body as { data?: { total?: number } }).data?.total === count,
      { timeoutMs: 15_000, description: `${count} devices online`, ...options },
    );
  }

  progressUrl(taskId: string, serialNumber: string): string {
    const query = new URLSearchParams({ serialNumber });
    return `${this.baseUrl}/api/v1/mount/sync/tasks/${enc(taskId)}/progress/stream?${query}`;
  }

  progressStream(taskId: string, serialNumber: string, options: ReadSseOptions = {}): SseReader {
    const headers = { ...this.headers, ...options.headers };
    return readSse(this.progressUrl(taskId, serialNumber), { ...options, headers });
  }

  /** Any request; never throws on a status. A string body is sent as is, anything else as JSON. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const init: RequestInit = { method, headers: { ...this.headers, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...init.headers };
    }
    const response = await fetch(this.baseUrl + path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text), text };
  }

  private async call<T>(
    schema: z.ZodType<T>,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const response = await this.request(method, path, body, headers);
    const envelope = Envelope.safeParse(response.body);
    if (response.status !== 200 || !envelope.success || envelope.data.code !== 200) {
      throw new ApiError(`${method} ${path} failed`, response);
    }
    const data = schema.safeParse(envelope.data.data);
    if (!data.success) {
      throw new ApiError(`${method} ${path} broke the contract (${data.error.message})`, response);
    }
    return data.data;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
