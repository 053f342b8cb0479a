import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const created = new Set<string>();

/** A fresh directory under the OS temp dir, removed by `removeTempDirs()` after the file's tests. */
export async function tempDir(prefix = 'wst-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes every directory `tempDir()` made; `WST_KEEP_TMP=1` keeps them for a post-mortem. */
export async function removeTempDirs(): Promise<void> {
  if (process.env.WST_KEEP_TMP === '1') return;
  const dirs = [...created];
  created.clear();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
