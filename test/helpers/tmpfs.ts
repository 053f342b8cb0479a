/**
 * Small tmpfs mounts: a device that fills up for real (ENOSPC), as `../shared/devices.md` shows.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MountCapability } from './fat-image.js';
import { mountFsType, tool, which } from './mount-tools.js';
import { sleep } from './wait.js';

export interface MountedTmpfs {
  mountPoint: string;
  unmount(): Promise<void>;
}

const mounted = new Set<MountedTmpfs>();

/** Whether this machine can mount a tmpfs, found by mounting and unmounting a probe. */
export async function canMountTmpfs(): Promise<MountCapability> {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (mount needs root)' };
  if (!which('mount') || !which('umount')) return { ok: false, reason: 'no mount/umount' };
  const probe = await mkdtemp(path.join(os.tmpdir(), 'wst-probe-'));
  try {
    await tool('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    await tool('umount', [probe]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `mount -t tmpfs failed: ${(error as Error).message}` };
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `sizeMiB` on `mountPoint` (created if missing). */
export async function mountTmpfs(mountPoint: string, sizeMiB: number): Promise<MountedTmpfs> {
  mountPoint = path.resolve(mountPoint);
  await mkdir(mountPoint, { recursive: true });
  await tool('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', mountPoint]);
  const result: MountedTmpfs = {
    mountPoint,
    unmount: async () => {
      if (!mounted.has(result)) return;
      for (let attempt = 0; mountFsType(mountPoint) !== null; attempt++) {
        const lazy = attempt >= 20;
        await tool('umount', lazy ? ['-l', mountPoint] : [mountPoint]).catch(() => undefined);
        if (attempt >= 25) throw new Error(`could not unmount ${mountPoint}`);
        if (mountFsType(mountPoint) !== null) await sleep(100);
      }
      mounted.delete(result);
    },
  };
  mounted.add(result);
  return result;
}

/** Unmounts every tmpfs this test file mounted and has not unmounted yet. */
export async function unmountAllTmpfs(): Promise<void> {
  for (const mount of [...mounted]) await mount.unmount();
}

// Last resort when the worker exits without running its hooks.
process.once('exit', () => {
  for (const { mountPoint } of mounted) {
    try {
      execFileSync(which('umount') ?? 'umount', ['-l', mountPoint], { stdio: 'ignore' });
    } catch {
      // nothing more can be done while exiting
    }
  }
});
