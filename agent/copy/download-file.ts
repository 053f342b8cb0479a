import type { IncomingMessage } from 'node:http';
import { agentApi } from '../../shared/agent-api.js';
import { ErrorCode } from '../../shared/error-codes.js';
import { abortError, CopyError } from './copy-error.js';
import { coordinatorGet, type CoordinatorEndpoint } from './coordinator-http.js';

/**
 * Opens one meeting file on the coordinator and yields its bytes. Every failure on the way in
 * (connection, HTTP status, a body cut short) is a CopyError 1009; network trouble and 5xx are
 * marked retryable.
 */
export async function openDownload(
  endpoint: CoordinatorEndpoint,
  meetingId: string,
  relativePath: string,
  signal?: AbortSignal,
): Promise<AsyncIterable<Buffer>> {
  let response: IncomingMessage;
  try {
    response = await coordinatorGet(endpoint, agentApi.file(meetingId, relativePath), signal);
  } catch (error) {
    throw downloadError(error, relativePath, signal);
  }

  const status = response.statusCode ?? 0;
  if (status !== 200) {
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
    response.destroy();
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
