import { setTimeout as sleep } from 'node:timers/promises';
import { abortError, CopyError } from './copy-error.js';

export interface RetryOptions {
  attempts: number;
  /** Delay before the second attempt; doubles for each further one. */
  baseDelayMs: number;
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds, retrying only CopyErrors marked retryable, with an
 * exponential backoff that an abort interrupts.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  { attempts, baseDelayMs, signal }: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (!(error instanceof CopyError) || !error.retryable || attempt >= attempts) throw error;
    }

    try {
      await sleep(baseDelayMs * 2 ** (attempt - 1), undefined, { signal });
    } catch (error) {
      throw signal ? abortError(signal) : error;
    }
  }
}
