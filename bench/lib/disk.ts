import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Free bytes on the filesystem holding `dir`, as `df` reports them (1K blocks, POSIX format). */
export async function freeBytes(dir: string): Promise<{ bytes: number; df: string }> {
  const { stdout } = await run('df', ['-Pk', dir]);
  const fields = stdout.trim().split('\n').at(-1)!.split(/\s+/);
  return { bytes: Number(fields[3]) * 1024, df: stdout.trim() };
}

/** `sync`: flushes every dirty page, so that writes before it do not bill the next measurement. */
export async function syncDisks(): Promise<void> {
  await run('sync');
}

/** The baseline copy: `cp -r <source> <target>` followed by `sync`; milliseconds. */
export async function timeCpAndSync(source: string, target: string): Promise<number> {
  const started = performance.now();
  await run('cp', ['-r', source, target]);
  await run('sync');
  return performance.now() - started;
}
