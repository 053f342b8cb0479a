import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN } from '../../shared/ids.js';

export const DEVICE_INFO_FILE = '.wst300/device.json';

export type SerialReading =
  | { ok: true; serialNumber: string; source: 'device.json' | 'directory' }
  | { ok: false; reason: string };

/**
 * A device's serial number: `serialNumber` from `<mount>/.wst300/device.json` when that file
 * holds a valid one, otherwise the directory's name when it is a valid id.
 */
export async function readSerial(mountPath: string): Promise<SerialReading> {
  const fromFile = await readDeviceInfo(path.join(mountPath, DEVICE_INFO_FILE));
  if (fromFile) return { ok: true, serialNumber: fromFile, source: 'device.json' };

  const name = path.basename(mountPath);
  if (ID_PATTERN.test(name)) return { ok: true, serialNumber: name, source: 'directory' };
  return {
    ok: false,
    reason: `no valid ${DEVICE_INFO_FILE} and ${JSON.stringify(name)} is no serial`,
  };
}

async function readDeviceInfo(file: string): Promise<string | null> {
  try {
    const info: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof info !== 'object' || info === null || !('serialNumber' in info)) return null;
    const serial = info.serialNumber;
    return typeof serial === 'string' && ID_PATTERN.test(serial) ? serial : null;
  } catch {
    return null;
  }
}
