import type { IncomingMessage } from 'node:http';
import { agentApi } from '../../shared/agent-api.js';
import { FrameReader, MAX_BUNDLE_FILES } from '../../shared/bundle-frames.js';
import { abortError } from './copy-error.js';
import { coordinatorPost, type CoordinatorEndpoint } from './coordinator-http.js';

/** Files smaller than this travel in bundles: for them a request costs more than the bytes. */
export const BUNDLED_FILE_BYTES = 1 << 20;
const BUNDLE_FILES = Math.min(16, MAX_BUNDLE_FILES);
const BUNDLE_BYTES = 4 << 20;

/** What one lane of the copy pool takes on: one file, or a bundle of small ones. */
export interface CopyUnit<F> {
  /** The unit's bytes, for the pool's rule that large files go alone. */
  size: number;
  files: F[];
}

/** Consecutive small files go together (up to 16 files and 4 MiB); every other file alone. */
export function groupIntoUnits<F extends { size: number }>(files: readonly F[]): CopyUnit<F>[] {
  const units: CopyUnit<F>[] = [];
  let bundle: F[] = [];
  let bytes = 0;
  const close = () => {
    if (bundle.length > 0) units.push({ size: bytes, files: bundle });
    [bundle, bytes] = [[], 0];
  };
  for (const file of files) {
    if (file.size >= BUNDLED_FILE_BYTES) {
      close();
      units.push({ size: file.size, files: [file] });
      continue;
    }
    if (bundle.length === BUNDLE_FILES || bytes + file.size > BUNDLE_BYTES) close();
    bundle.push(file);
    bytes += file.size;
  }
  close();
  return units;
}

/** The files a bundle did not bring, and why. */
export interface BundleLeftovers<F> {
  rest: F[];
  reason?: string;
}

/**
 * Fetches `files` in one bundle request and hands each file's bytes to `copyFrom` as they come.
 * Returns the files it did not copy — all of them when the coordinator sends no bundle, the rest
 * from the first file that breaks off or is not what the manifest says — for the caller to copy
 * one by one, where each failure gets its own retries and its own error code.
 */
export async function copyThroughBundle<F extends { path: string; size: number }>(
  files: readonly F[],
  from: { endpoint: CoordinatorEndpoint; meetingId: string; signal?: AbortSignal },
  copyFrom: (file: F, source: AsyncIterable<Buffer>) => Promise<void>,
): Promise<BundleLeftovers<F>> {
  const { signal } = from;
  let response: IncomingMessage | undefined;
  let copied = 0;
  let reason: string | undefined;
  try {
    const paths = files.map((file) => file.path);
    response = await coordinatorPost(from.endpoint, agentApi.bundle(from.meetingId), { files: paths }, signal);
    if (response.statusCode !== 200) return { rest: [...files], reason: `HTTP ${response.statusCode}` };
    const reader = new FrameReader(response);
    for (const file of files) {
      const size = await reader.next();
      if (size !== file.size) {
        reason = `${file.path}: ${size === null ? 'not served' : `${size} bytes, not ${file.size}`}`;
        break;
      }
      await copyFrom(file, reader.body(file.size));
      copied += 1;
    }
    // Read to its end, the response leaves its socket to the keep-alive pool.
    if (copied === files.length) await reader.end();
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    reason = error instanceof Error ? error.message : String(error);
  } finally {
    if (!response?.complete) response?.destroy();
  }
  return { rest: files.slice(copied), ...(reason && { reason }) };
}
