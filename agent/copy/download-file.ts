import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentApi } from '../../shared/agent-api.js';
import { ErrorCode } from '../../shared/error-codes.js';
import { abortError, CopyError } from './copy-error.js';
import { coordinatorGet, type CoordinatorEndpoint } from './coordinator-http.js';

export interface ResumableOptions {
  signal?: AbortSignal;
  /** How long the coordinator may stay unreachable before the download fails with 1009. */
  patienceMs: number;
  retryDelayMs?: number;
}

/**
 * One meeting file's bytes as a single unbroken stream, even across a coordinator restart or a
 * dropped link: a broken download is reopened with `Range` from the first byte not yet received,
 * for as long as the failures last less than `patienceMs`.
 */
export async function* resumableDownload(
  endpoint: CoordinatorEndpoint,
  meetingId: string,
  relativePath: string,
  { signal, patienceMs, retryDelayMs = 250 }: ResumableOptions,
): AsyncGenerator<Buffer> {
  let received = 0;
  let failingSince = 0;
  let delay = retryDelayMs;
  for (;;) {
    try {
      const body = await openDownload(endpoint, meetingId, relativePath, signal, received);
      for await (const chunk of body) {
        received += chunk.length;
        [failingSince, delay] = [0, retryDelayMs];
        yield chunk;
      }
      return;
    } catch (error) {
      if (!(error instanceof CopyError) || !error.retryable) throw error;
      failingSince ||= Date.now();
      if (Date.now() - failingSince >= patienceMs) throw error;
    }
    await sleep(delay, undefined, { signal }).catch(() => {
      throw abortError(signal!);
    });
    delay = Math.min(delay * 2, 5000);
  }
}

/**
 * Opens one meeting file on the coordinator, from `fromByte` on, and yields its bytes. Every
 * failure on the way in (connection, HTTP status, a body cut short) is a CopyError 1009; network
 * trouble and 5xx are marked retryable.
 */
export async function openDownload(
  endpoint: CoordinatorEndpoint,
  meetingId: string,
  relativePath: string,
  signal?: AbortSignal,
  fromByte = 0,
): Promise<AsyncIterable<Buffer>> {
  let response: IncomingMessage;
  try {
    const headers: Record<string, string> = fromByte > 0 ? { range: `bytes=${fromByte}-` } : {};
    const apiPath = agentApi.file(meetingId, relativePath);
    response = await coordinatorGet(endpoint, apiPath, signal, headers);
  } catch (error) {
    throw downloadError(error, relativePath, signal);
  }

  const status = response.statusCode ?? 0;
  if (status !== (fromByte > 0 ? 206 : 200)) {
    response.resume();
    throw new CopyError(ErrorCode.DownloadFailed, `${relativePath}: HTTP ${status}`, {
      retryable: status >= 500,
    });
  }
  return readChunks(response, relativePath, signal);
}

async function* readChunks(
  response: IncomingMessage,
  relativePath: string,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const expected = Number(response.headers['content-length'] ?? NaN);
  let received = 0;
  try {
    for await (const chunk of response) {
      received += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (error) {
    throw downloadError(error, relativePath, signal);
  } finally {
    // A body read to its end leaves the socket to the keep-alive pool for the next file.
    if (!response.complete) response.destroy();
  }

  if (Number.isFinite(expected) && received !== expected) {
    const detail = `${relativePath}: body ended after ${received} of ${expected} bytes`;
    throw new CopyError(ErrorCode.DownloadFailed, detail, { retryable: true });
  }
}

function downloadError(error: unknown, relativePath: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return abortError(signal);
  if (error instanceof CopyError) return error;
  const detail = `${relativePath}: ${error instanceof Error ? error.message : String(error)}`;
  return new CopyError(ErrorCode.DownloadFailed, detail, { retryable: true, cause: error });
}
