import { readFile } from 'node:fs/promises';
import os from 'node:os';

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** User + system CPU time a process has used, in milliseconds, from /proc/<pid>/stat. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** How busy each named process was over a stretch of wall time, in % of one core. */
export async function cpuShare(pids: Record<string, number | undefined>, during: () => Promise<void>) {
  const named = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const before = await Promise.all(named.map(([, pid]) => cpuMsOf(pid)));
  const started = Date.now();
  await during();
  const wall = Date.now() - started;
  const after = await Promise.all(named.map(([, pid]) => cpuMsOf(pid)));
  const share: Record<string, number> = {};
  named.forEach(([name], i) => (share[name] = Math.round((100 * (after[i]! - before[i]!)) / wall)));
  share.machineCores = os.cpus().length;
  return share;
}
