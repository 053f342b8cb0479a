import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSerial } from './read-serial.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'wst-serial-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function device(name: string, info?: string): Promise<string> {
  const mountPath = path.join(root, name);
  await mkdir(path.join(mountPath, '.wst300'), { recursive: true });
  if (info !== undefined) await writeFile(path.join(mountPath, '.wst300/device.json'), info);
  return mountPath;
}

describe('readSerial', () => {
  it('prefers serialNumber from device.json', async () => {
    const mountPath = await device('usb0', '{"serialNumber":"WST300LX1000600","model":"x"}');

    expect(await readSerial(mountPath)).toEqual({
      ok: true,
      serialNumber: 'WST300LX1000600',
      source: 'device.json',
    });
  });

  it('falls back to the directory name without device.json', async () => {
    expect(await readSerial(await device('WST300LX1000560'))).toEqual({
      ok: true,
      serialNumber: 'WST300LX1000560',
      source: 'directory',
    });
  });

  it.each(['not json', '{"serialNumber":"../x"}', '{"serialNumber":42}', '[]'])(
    'falls back to the directory name when device.json is %s',
    async (info) => {
      const reading = await readSerial(await device('WST300LX1000561', info));

      expect(reading).toMatchObject({ serialNumber: 'WST300LX1000561', source: 'directory' });
    },
  );

  it('refuses a directory whose name is not a valid id', async () => {
    const reading = await readSerial(await device('.Trash-0'));

    expect(reading).toMatchObject({ ok: false, reason: expect.stringContaining('.Trash-0') });
  });
});
