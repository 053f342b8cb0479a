/**
 * Real FAT32 and exFAT file systems on loop devices, mounted through FUSE as
 * `../shared/devices.md` shows, for the failures only a real device has.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  detachLoop,
  fuseDaemonPids,
  fuseUnmount,
  mountFsType,
  tool,
  which,
} from './mount-tools.js';

export { loopDevicesOf, mountFsType } from './mount-tools.js';

export type ImageKind = 'fat32' | 'exfat';

export type MountCapability = { ok: true } | { ok: false; reason: string };

export interface MountedImage {
  kind: ImageKind;
  image: string;
  device: string;
  mountPoint: string;
  /** As /proc/self/mountinfo names it: `fuse.fusefat` or `fuseblk`. */
  fsType: string;
  /**
   * The device vanishes as when a user pulls it out: the FUSE daemon is killed, so open files
   * fail with ENOTCONN/EIO, and the mount is detached. `unmount()` still has to follow.
   */
  pullOut(): Promise<void>;
  /** After `pullOut()`: mounts the same image (same loop device) on the same mount point again. */
  plugIn(): Promise<void>;
  /** Unmounts (retrying while busy), detaches the loop device and deletes the image. */
  unmount(options?: { removeMountPoint?: boolean }): Promise<void>;
}

const TOOLS: Record<ImageKind, string[]> = {
  fat32: ['mkfs.vfat', 'fusefat', 'losetup', 'fusermount'],
  exfat: ['mkfs.exfat', 'mount.exfat-fuse', 'losetup', 'fusermount'],
};

const mounted = new Set<MountedImage>();

/** Whether this machine can make and mount `kind` images; the reason when it cannot. */
export function canMount(kind: ImageKind = 'fat32'): MountCapability {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (loop devices need root)' };
  if (!existsSync('/dev/fuse')) return { ok: false, reason: 'no /dev/fuse' };
  if (!existsSync('/dev/loop-control')) return { ok: false, reason: 'no /dev/loop-control' };
  const missing = TOOLS[kind].filter((name) => !which(name));
  if (missing.length > 0) {
    const hint = 'apt-get install dosfstools fusefat exfatprogs exfat-fuse';
    return { ok: false, reason: `missing ${missing.join(', ')} (${hint})` };
  }
  return { ok: true };
}

/**
 * For `describe.skipIf(...)`: true when the machine cannot mount and this is not CI. Under
 * `CI=true` nothing is skipped, so a missing capability fails the test with its reason.
 */
export function skipMounting(capability: MountCapability): boolean {
  return !capability.ok && process.env.CI !== 'true';
}

/** Creates a `sizeMiB` image of `kind`, attaches it to a loop device and mounts it. */
export async function mountImage(
  kind: ImageKind,
  mountPoint: string,
  { sizeMiB = 64 }: { sizeMiB?: number } = {},
): Promise<MountedImage> {
  const capability = canMount(kind);
  if (!capability.ok) throw new Error(`cannot mount a ${kind} image: ${capability.reason}`);
  mountPoint = path.resolve(mountPoint);

  const imageDir = await mkdtemp(path.join(os.tmpdir(), 'wst-image-'));
  const image = path.join(imageDir, `${kind}.img`);
  const undo: (() => Promise<unknown>)[] = [() => rm(imageDir, { recursive: true, force: true })];
  try {
    const handle = await open(image, 'w');
    await handle.truncate(sizeMiB * 1024 * 1024);
    await handle.close();
    await tool(
      kind === 'fat32' ? 'mkfs.vfat' : 'mkfs.exfat',
      kind === 'fat32' ? ['-F', '32', image] : [image],
    );

    const device = (await tool('losetup', ['-f', '--show', image])).trim();
    undo.unshift(() => detachLoop(device, image));
    await mkdir(mountPoint, { recursive: true });
    await fuseMount(kind, device, mountPoint);
    undo.unshift(() => fuseUnmount(mountPoint, true));

    const fsType = mountFsType(mountPoint);
    if (!fsType) throw new Error(`${mountPoint} is not in /proc/self/mountinfo after mounting`);
    const result = describeMount({ kind, image, device, mountPoint, fsType }, imageDir);
    mounted.add(result);
    return result;
  } catch (error) {
    for (const step of undo) await step().catch(() => undefined);
    throw error;
  }
}

export const mountFat32 = (mountPoint: string, options?: { sizeMiB?: number }) =>
  mountImage('fat32', mountPoint, options);

export const mountExfat = (mountPoint: string, options?: { sizeMiB?: number }) =>
  mountImage('exfat', mountPoint, options);

/** Unmounts every image this test file mounted and has not unmounted yet. */
export async function unmountAll(): Promise<void> {
  for (const image of [...mounted]) await image.unmount();
}

function fuseMount(kind: ImageKind, device: string, mountPoint: string): Promise<string> {
  if (kind === 'fat32') return tool('fusefat', ['-o', 'rw+', device, mountPoint]);
  return tool('mount.exfat-fuse', [device, mountPoint]);
}

type MountFacts = Pick<MountedImage, 'kind' | 'image' | 'device' | 'mountPoint' | 'fsType'>;

function describeMount(facts: MountFacts, imageDir: string): MountedImage {
  const { device, image, mountPoint, kind } = facts;
  const result: MountedImage = {
    ...facts,
    pullOut: async () => {
      for (const pid of fuseDaemonPids(device, mountPoint)) process.kill(pid, 'SIGKILL');
      await fuseUnmount(mountPoint, true);
    },
    plugIn: async () => {
      if (mountFsType(mountPoint) !== null) throw new Error(`${mountPoint} is still mounted`);
      await fuseMount(kind, device, mountPoint);
      if (!mountFsType(mountPoint)) throw new Error(`${mountPoint} did not mount again`);
    },
    unmount: async ({ removeMountPoint = false } = {}) => {
      if (!mounted.has(result)) return;
      await fuseUnmount(mountPoint);
      await detachLoop(device, image);
      await rm(imageDir, { recursive: true, force: true });
      mounted.delete(result);
      if (removeMountPoint) await rm(mountPoint, { recursive: true, force: true });
    },
  };
  return result;
}

// Last resort when the worker exits without running its hooks: leave no mount or loop device.
process.once('exit', () => {
  for (const { mountPoint, device } of mounted) {
    const steps: [string, string[]][] = [
      ['fusermount', ['-u', '-z', mountPoint]],
      ['losetup', ['-d', device]],
    ];
    for (const [name, args] of steps) {
      try {
        execFileSync(which(name) ?? name, args, { stdio: 'ignore' });
      } catch {
        // nothing more can be done while exiting
      }
    }
  }
});
