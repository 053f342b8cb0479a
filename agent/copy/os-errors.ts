import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError, errnoCode } from './copy-error.js';

const DEVICE_GONE_CODES = new Set(['ENOENT', 'ENODEV', 'EIO', 'ENOTCONN', 'ENXIO', 'ESTALE']);

/** The mount as it was when the copy started: its path and the device id `stat` gave it. */
export interface MountIdentity {
  mountPath: string;
  dev: number;
  fsType?: string;
}

export async function identifyMount(mountPath: string, fsType?: string): Promise<MountIdentity> {
  try {
    return { mountPath, dev: (await stat(mountPath)).dev, fsType };
  } catch (error) {
    throw new CopyError(ErrorCode.DeviceRemoved, describe(error), { cause: error });
  }
}

/** True when the mount path is gone or now belongs to another filesystem (unmounted). */
export async function isMountGone(mount: MountIdentity): Promise<boolean> {
  try {
    return (await stat(mount.mountPath)).dev !== mount.dev;
  } catch {
    return true;
  }
}

/**
 * Translates an error from writing onto the device into a CopyError: a full disk is 1004, a
 * vanished device 1003, a file too big for the filesystem 1010, anything else 1006.
 */
export async function toCopyError(error: unknown, mount: MountIdentity): Promise<CopyError> {
  if (error instanceof CopyError) return error;

  const code = errnoCode(error);
  const detail = describe(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new CopyError(ErrorCode.DeviceFull, detail, { cause: error });
  }
  // fusefat answers a write that finds no free cluster with EPERM, not ENOSPC.
  if (code === 'EPERM' && syscallOf(error) === 'write' && mount.fsType === 'fuse.fusefat') {
    if (!(await isMountGone(mount))) {
      return new CopyError(ErrorCode.DeviceFull, `${detail} (fusefat: no free cluster)`, {
        cause: error,
      });
    }
  }
  if (code === 'EFBIG') return new CopyError(ErrorCode.FileTooLarge, detail, { cause: error });
  if ((code === undefined || DEVICE_GONE_CODES.has(code)) && (await goesAway(mount))) {
    return new CopyError(ErrorCode.DeviceRemoved, detail, { cause: error });
  }
  return new CopyError(ErrorCode.WriteFailed, detail, { cause: error });
}

/**
 * A device that is going away loses its files before its mount path (a recursive delete, a
 * lazy unmount): give the mount path a moment to follow before calling the error a write error.
 */
async function goesAway(mount: MountIdentity, settleMs = 500): Promise<boolean> {
  for (let waited = 0; ; waited += 50) {
    if (await isMountGone(mount)) return true;
    if (waited >= settleMs) return false;
    await sleep(50);
  }
}

function syscallOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('syscall' in error)) return undefined;
  return typeof error.syscall === 'string' ? error.syscall : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
