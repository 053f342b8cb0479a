/**
 * Loaded before every test file (vitest `setupFiles`): prints the output of the processes a
 * failed test ran, and stops whatever the file's tests left behind, in an order that works:
 * processes first, then mounts, then temp dirs.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';
import { unmountAll } from './fat-image.js';
import { killAll, processesActiveSince } from './processes.js';
import { removeTempDirs } from './temp-dir.js';
import { unmountAllTmpfs } from './tmpfs.js';

let testStartedAt = Date.now();

beforeEach(() => {
  testStartedAt = Date.now();
});

afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const proc of processesActiveSince(testStartedAt)) {
    console.error(proc.formatLogs());
  }
});

afterAll(async () => {
  await killAll();
  await unmountAll();
  await unmountAllTmpfs();
  await removeTempDirs();
});
