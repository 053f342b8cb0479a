import { stat } from 'node:fs/promises';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError, errnoCode } from './copy-error.js';

const DEVICE_GONE_CODES = new Set(['ENOENT', 'ENODEV', 'EIO', 'ENOTCONN', 'ENXIO', 'ESTALE']);

/** The mount as it was when the copy started: its path and the device id `stat` gave it. */
export interface MountIdentity {
  mountPath: string;
  dev: number;
}

export async function identifyMount(mountPath: string): Promise<MountIdentity> {
  try {
    return { mountPath, dev: (await stat(mountPath)).dev };
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
  if (code === 'EFBIG') return new CopyError(ErrorCode.FileTooLarge, detail, { cause: error });
  if ((code === undefined || DEVICE_GONE_CODES.has(code)) && (await isMountGone(mount))) {
    return new CopyError(ErrorCode.DeviceRemoved, detail, { cause: error });
  }
  return new CopyError(ErrorCode.WriteFailed, detail, { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
