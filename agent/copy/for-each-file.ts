/** Files at least this big are copied alone, so large writes do not interleave on the device. */
const LARGE_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Runs `task` over the files in order, several small files at once and each large one alone.
 * After the first failure no new file starts; the running ones settle, then it is thrown.
 */
export async function forEachFile<T extends { size: number }>(
  files: readonly T[],
  concurrency: number,
  task: (file: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let largeRunning = false;
  let failure: { error: unknown } | undefined;
  for (const file of files) {
    const large = file.size >= LARGE_FILE_BYTES;
    // A large file waits for all running ones, and nothing starts beside it.
    while (running.size >= (large || largeRunning ? 1 : concurrency) && !failure) {
      await Promise.race(running);
    }
    if (failure) break;
    largeRunning = large;
    const run: Promise<void> = task(file).then(
      () => void running.delete(run),
      (error: unknown) => {
        running.delete(run);
        failure ??= { error };
      },
    );
    running.add(run);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
