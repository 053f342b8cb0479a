import { setTimeout as sleep } from 'node:timers/promises';

/** Holds a byte stream to a budget of bytes per second, like `rsync --bwlimit`. */
export interface RateLimiter {
  /** Resolves once `bytes` more fit within the budget; rejects when `signal` aborts. */
  take(bytes: number, signal?: AbortSignal): Promise<void>;
}

const unlimited: RateLimiter = { take: async () => {} };

/**
 * A limiter for `bytesPerSecond` (0 = unlimited). It schedules by the total so far, so rounding
 * never accumulates; idle time is not saved up for more than one second of burst. The clock
 * starts with the first bytes: the time before them (fetching the manifest) is not idle time.
 */
export function createRateLimiter(
  bytesPerSecond: number,
  now = () => performance.now(),
): RateLimiter {
  if (bytesPerSecond <= 0) return unlimited;

  let start: number | undefined;
  let sent = 0;
  return {
    async take(bytes, signal) {
      const current = now();
      start ??= current;
      const due = start + (sent / bytesPerSecond) * 1000;
      if (current - due > 1000) {
        start = current - 1000;
        sent = 0;
      }

      sent += bytes;
      const wait = start + (sent / bytesPerSecond) * 1000 - current;
      if (wait > 0) await sleep(wait, undefined, { signal });
    },
  };
}
