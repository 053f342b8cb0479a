import { describe, expect, it } from 'vitest';
import { forEachFile } from './for-each-file.js';

const MiB = 1024 * 1024;

/** Runs the pool over files whose tasks take `ms`, recording how many ran at once. */
async function run(sizes: number[], concurrency: number, failAt = -1) {
  let running = 0;
  const log: { index: number; alongside: number }[] = [];
  const files = sizes.map((size, index) => ({ size, index }));
  const error = await forEachFile(files, concurrency, async ({ index }) => {
    running += 1;
    log.push({ index, alongside: running });
    await new Promise((resolve) => setTimeout(resolve, 10));
    running -= 1;
    if (index === failAt) throw new Error(`file ${index} failed`);
  }).catch((e: unknown) => e);
  return { log, error };
}

describe('forEachFile', () => {
  it('runs at most `concurrency` small files at once, in order', async () => {
    const { log } = await run([1, 1, 1, 1, 1, 1], 3);
    expect(log.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.max(...log.map((l) => l.alongside))).toBe(3);
  });

  it('starts a large file only when nothing else runs, and nothing beside it', async () => {
    const { log } = await run([1, 1, 64 * MiB, 1, 1], 4);
    expect(log.find((l) => l.index === 2)?.alongside).toBe(1);
    expect(log.find((l) => l.index === 3)?.alongside).toBe(1);
    expect(log.find((l) => l.index === 4)?.alongside).toBe(2);
  });

  it('starts nothing new after a failure and throws it once the running ones settle', async () => {
    const { log, error } = await run([1, 1, 1, 1, 1, 1, 1, 1], 2, 1);
    expect(String(error)).toContain('file 1 failed');
    expect(log.length).toBeLessThan(8);
  });
});
