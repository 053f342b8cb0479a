import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../testing/wait-for.js';
import { DeviceWatcher } from './device-watcher.js';

let root: string;
let watcher: DeviceWatcher;
let events: string[];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'wst-watch-'));
  events = [];
});
afterEach(async () => {
  await watcher?.close();
  await rm(root, { recursive: true, force: true });
});

async function startWatcher(rescanMs = 60_000): Promise<void> {
  watcher = new DeviceWatcher(root, { rescanMs });
  watcher.on('added', (d) => events.push(`added ${d.serialNumber} ${path.basename(d.mountPath)}`));
  watcher.on('removed', (d) => events.push(`removed ${d.serialNumber}`));
  watcher.on('skipped', (s) => events.push(`skipped ${path.basename(s.mountPath)}`));
  await watcher.start();
}

const seen = (event: string) => waitFor(event, () => events.includes(event));

describe('DeviceWatcher', () => {
  it('reports the devices present at start and ignores plain files', async () => {
    await mkdir(path.join(root, 'WST300LX1000560'));
    await mkdir(path.join(root, 'usb1/.wst300'), { recursive: true });
    await writeFile(
      path.join(root, 'usb1/.wst300/device.json'),
      '{"serialNumber":"WST300LX1000600"}',
    );
    await writeFile(path.join(root, 'README.txt'), 'not a device');

    await startWatcher();

    expect(events.sort()).toEqual([
      'added WST300LX1000560 WST300LX1000560',
      'added WST300LX1000600 usb1',
    ]);
    expect(watcher.find('WST300LX1000600')?.mountPath).toBe(path.join(root, 'usb1'));
  });

  it('sees a directory removed and re-created both times', async () => {
    await startWatcher();
    const dir = path.join(root, 'WST300LX1000561');

    await mkdir(dir);
    await seen('added WST300LX1000561 WST300LX1000561');
    await rm(dir, { recursive: true });
    await seen('removed WST300LX1000561');
    await mkdir(dir);
    await waitFor('second add', () => events.filter((e) => e.startsWith('added')).length === 2);

    expect(events).toEqual([
      'added WST300LX1000561 WST300LX1000561',
      'removed WST300LX1000561',
      'added WST300LX1000561 WST300LX1000561',
    ]);
    expect(watcher.devices()).toHaveLength(1);
  });

  it('re-reads device.json when it appears later', async () => {
    await mkdir(path.join(root, 'usb2/.wst300'), { recursive: true });
    await startWatcher(50);

    await writeFile(
      path.join(root, 'usb2/.wst300/device.json'),
      '{"serialNumber":"WST300LX1000700"}',
    );
    await seen('added WST300LX1000700 usb2');

    expect(events).toEqual(['added usb2 usb2', 'removed usb2', 'added WST300LX1000700 usb2']);
  });

  it('skips directories without a valid serial, and a second copy of a serial, once', async () => {
    await mkdir(path.join(root, '.Trash-0'));
    await mkdir(path.join(root, 'a/.wst300'), { recursive: true });
    await mkdir(path.join(root, 'b/.wst300'), { recursive: true });
    await writeFile(path.join(root, 'a/.wst300/device.json'), '{"serialNumber":"WST300LX1000800"}');
    await writeFile(path.join(root, 'b/.wst300/device.json'), '{"serialNumber":"WST300LX1000800"}');

    await startWatcher(30);
    await watcher.rescan();
    await watcher.rescan();

    // Which of the two directories wins depends on the order the watcher saw them in.
    const winner = watcher.find('WST300LX1000800')?.mountPath.endsWith('/a') ? 'a' : 'b';
    const loser = winner === 'a' ? 'b' : 'a';
    expect(events.sort()).toEqual([
      `added WST300LX1000800 ${winner}`,
      'skipped .Trash-0',
      `skipped ${loser}`,
    ]);
  });
});

const canMount = process.getuid?.() === 0;

describe.skipIf(!canMount)('DeviceWatcher with real mounts (root)', () => {
  it('drops a device whose filesystem is unmounted, leaving an empty mount point', async () => {
    const dir = path.join(root, 'WST300LX1000999');
    await mkdir(dir);
    await startWatcher(50);
    await seen('added WST300LX1000999 WST300LX1000999');

    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      await writeFile(path.join(dir, 'marker'), 'x');
      await waitFor('re-add after mount', () => events.length === 3);
    } finally {
      execFileSync('umount', [dir]);
    }
    await waitFor('removal after unmount', () => events.length === 4);
    await watcher.rescan();

    expect(events).toEqual([
      'added WST300LX1000999 WST300LX1000999',
      'removed WST300LX1000999',
      'added WST300LX1000999 WST300LX1000999',
      'removed WST300LX1000999',
    ]);
    expect(watcher.devices()).toEqual([]);
  });
});
