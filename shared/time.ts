/** Unix seconds, as the contract's create and status responses use. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** `2025-11-10T17:21:09Z`, as the contract's tasks and list responses use (no milliseconds). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
