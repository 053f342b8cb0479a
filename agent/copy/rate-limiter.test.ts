import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

/** Real milliseconds a `take` waited, under a clock the test sets. */
async function waited(take: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await take();
  return performance.now() - started;
}

describe('createRateLimiter', () => {
  it('holds the first bytes to the budget however long ago the limiter was made', async () => {
    let clock = 0;
    const limiter = createRateLimiter(100_000, () => clock);
    clock = 5_000;
    // 10,000 bytes at 100,000 B/s: 100 ms, not a burst of saved-up idle time.
    expect(await waited(() => limiter.take(10_000))).toBeGreaterThanOrEqual(90);
  });

  it('lets through at most one second of burst after an idle spell', async () => {
    let clock = 0;
    const limiter = createRateLimiter(100_000, () => clock);
    await limiter.take(1);
    clock = 10_000;
    expect(await waited(() => limiter.take(100_000))).toBeLessThan(50);
    expect(await waited(() => limiter.take(10_000))).toBeGreaterThanOrEqual(90);
  });
});
