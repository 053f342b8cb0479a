export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names what is awaited in the timeout error. */
  description?: string;
}

/**
 * Calls `fn` every `intervalMs` until `predicate` holds for its value, and returns that value.
 * On timeout the error shows the last value (or the last error `fn` threw).
 *
 * @example
 * const done = await pollUntil(() => api.getStatus(id), (s) => s.status === 'completed');
 */
export async function pollUntil<T>(
  fn: () => Promise<T> | T,
  predicate: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 200, description = 'condition' }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;

  for (;;) {
    try {
      const value = await fn();
      if (predicate(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }

    if (Date.now() >= deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}; last ${describe(last)}`,
      );
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (!last) return 'value: none';
  if ('error' in last)
    return `error: ${last.error instanceof Error ? last.error.message : String(last.error)}`;
  return `value: ${JSON.stringify(last.value)}`;
}
