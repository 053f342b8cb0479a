import { agentApi } from '../../shared/agent-api.js';
import { ErrorCode } from '../../shared/error-codes.js';
import { Manifest } from '../../shared/manifest.js';
import { describeIssue } from '../../shared/messages.js';
import { abortError, CopyError } from './copy-error.js';
import { coordinatorGet, readBody, type CoordinatorEndpoint } from './coordinator-http.js';
import { withRetries } from './retry.js';

export interface FetchManifestOptions {
  signal?: AbortSignal;
  attempts?: number;
  baseDelayMs?: number;
  /** Keep retrying past `attempts` while the failures have lasted less than this. */
  patienceMs?: number;
}

/**
 * Reads a meeting's manifest from the coordinator. 404 is 1002 (meeting not found), a body
 * that is not a valid manifest 1011, network failures and 5xx are retried and then 1009.
 */
export async function fetchManifest(
  endpoint: CoordinatorEndpoint,
  meetingId: string,
  { signal, attempts = 3, baseDelayMs = 500, patienceMs = 0 }: FetchManifestOptions = {},
): Promise<Manifest> {
  const body = await withRetries(() => fetchOnce(endpoint, meetingId, signal), {
    attempts,
    patienceMs,
    baseDelayMs,
    signal,
  });
  return parseManifest(body, meetingId);
}

async function fetchOnce(
  endpoint: CoordinatorEndpoint,
  meetingId: string,
  signal?: AbortSignal,
): Promise<string> {
  try {
    const response = await coordinatorGet(endpoint, agentApi.manifest(meetingId), signal);
    const body = await readBody(response);
    const status = response.statusCode ?? 0;
    if (status === 404) throw new CopyError(ErrorCode.MeetingNotFound, `manifest: HTTP 404`);
    if (status !== 200) {
      throw new CopyError(ErrorCode.DownloadFailed, `manifest: HTTP ${status}`, {
        retryable: status >= 500,
      });
    }
    return body;
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    if (error instanceof CopyError) throw error;
    const detail = `manifest: ${error instanceof Error ? error.message : String(error)}`;
    throw new CopyError(ErrorCode.DownloadFailed, detail, { retryable: true, cause: error });
  }
}

function parseManifest(body: string, meetingId: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new CopyError(ErrorCode.InvalidManifest, 'manifest is not JSON');
  }

  const data = typeof raw === 'object' && raw !== null && 'data' in raw ? raw.data : undefined;
  const result = Manifest.safeParse(data);
  if (!result.success) throw new CopyError(ErrorCode.InvalidManifest, describeIssue(result.error));
  if (result.data.meetingId !== meetingId) {
    throw new CopyError(ErrorCode.InvalidManifest, `manifest is for ${result.data.meetingId}`);
  }
  return result.data;
}
