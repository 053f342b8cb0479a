import { setTimeout as sleep } from 'node:timers/promises';
import { abortError, CopyError } from './copy-error.js';

export interface RetryOptions {
  attempts: number;
  /** Keep retrying past `attempts` while the failures have lasted less than this. */
  patienceMs?: number;
  /** Delay before the second attempt; doubles for each further one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds, retrying only CopyErrors marked retryable, with an
 * exponential backoff that an abort interrupts.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  { attempts, patienceMs = 0, baseDelayMs, maxDelayMs = 5000, signal }: RetryOptions,
): Promise<T> {
  const firstFailure = { at: 0 };
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (!(error instanceof CopyError) || !error.retryable) throw error;
      firstFailure.at ||= Date.now();
      const patient = Date.now() - firstFailure.at < patienceMs;
      if (attempt >= attempts && !patient) throw error;
    }

    try {
      await sleep(Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs), undefined, { signal });
    } catch (error) {
      throw signal ? abortError(signal) : error;
    }
  }
}
