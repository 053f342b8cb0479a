import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './wait.js';

const run = promisify(execFile);

/** Runs a system tool; the error carries its stderr. */
export async function tool(name: string, args: string[]): Promise<string> {
  const file = which(name) ?? name;
  try {
    const { stdout } = await run(file, args, { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const detail = error as { stderr?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${detail.stderr?.trim() || detail.message}`);
  }
}

/** Where fuse3 replaced fuse, only `fusermount3` exists. */
const ALTERNATIVES: Record<string, string[]> = { fusermount: ['fusermount', 'fusermount3'] };

/** Looks on PATH and in the sbin directories, which a non-login root shell may lack. */
export function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const candidateName of ALTERNATIVES[name] ?? [name]) {
    for (const dir of dirs.filter(Boolean)) {
      const candidate = path.join(dir, candidateName);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        continue;
      }
    }
  }
  return null;
}

/** The file system type /proc/self/mountinfo gives for `mountPoint`, or null when not mounted. */
export function mountFsType(mountPoint: string): string | null {
  const target = path.resolve(mountPoint);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    if (unescapeOctal(left.split(' ')[4] ?? '') === target) return right.split(' ')[0] ?? null;
  }
  return null;
}

/** Loop devices still attached to `image` (`losetup -j`); empty once cleaned up. */
export async function loopDevicesOf(image: string): Promise<string[]> {
  const out = await tool('losetup', ['-j', image]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':')[0]!);
}

/** `fusermount -u`, retried while the mount is busy, then lazily (`-z`) as a last resort. */
export async function fuseUnmount(mountPoint: string, lazy = false): Promise<void> {
  for (let attempt = 0; mountFsType(mountPoint) !== null; attempt++) {
    const args = lazy || attempt >= 20 ? ['-u', '-z', mountPoint] : ['-u', mountPoint];
    await tool('fusermount', args).catch(() => undefined);
    if (mountFsType(mountPoint) === null) return;
    if (attempt >= 25) throw new Error(`could not unmount ${mountPoint}`);
    await sleep(100);
  }
}

/** `losetup -d`, retried: a FUSE daemon or an open file may hold the device a little longer. */
export async function detachLoop(device: string, image: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tool('losetup', ['-d', device]).catch(() => undefined);
    if ((await loopDevicesOf(image)).length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`loop device ${device} for ${image} is still attached`);
    await sleep(100);
  }
}

/** Pids of processes whose command line names both `device` and `mountPoint` (FUSE daemons). */
export function fuseDaemonPids(device: string, mountPoint: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(device) && args.includes(mountPoint)) pids.push(Number(entry));
    } catch {
      continue; // the process ended while we looked
    }
  }
  return pids;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}
