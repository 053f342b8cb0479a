import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canMount, loopDevicesOf, mountImage, mountFsType, skipMounting } from './fat-image.js';
import { tempDir } from './temp-dir.js';

for (const [kind, fsType] of [
  ['fat32', 'fuse.fusefat'],
  ['exfat', 'fuseblk'],
] as const) {
  const capability = canMount(kind);
  const title = capability.ok
    ? `${kind} image`
    : `${kind} image (cannot mount: ${capability.reason})`;

  describe.skipIf(skipMounting(capability))(title, () => {
    it('mounts through FUSE, stores a file and leaves no mount or loop device behind', async () => {
      const mountPoint = path.join(await tempDir(), 'WST300LX1000560');
      const image = await mountImage(kind, mountPoint, { sizeMiB: 64 });
      expect(image.fsType).toBe(fsType);
      expect(mountFsType(mountPoint)).toBe(fsType);
      expect(await loopDevicesOf(image.image)).toEqual([image.device]);

      const bytes = Buffer.from('agenda of the board meeting\n');
      await writeFile(path.join(mountPoint, 'agenda.txt'), bytes);
      expect(await readFile(path.join(mountPoint, 'agenda.txt'))).toEqual(bytes);

      const imagePath = image.image;
      await image.unmount();
      expect(mountFsType(mountPoint)).toBeNull();
      expect(await loopDevicesOf(imagePath)).toEqual([]);
    });

    it('refuses a name the file system cannot hold, as a real device does', async () => {
      const mountPoint = path.join(await tempDir(), 'WST300LX1000600');
      const image = await mountImage(kind, mountPoint);
      const name = kind === 'fat32' ? 'q?.txt' : 'bad:name.txt';
      const code = kind === 'fat32' ? 'EPERM' : 'ENOENT';

      await expect(writeFile(path.join(mountPoint, name), 'x')).rejects.toMatchObject({ code });
      await image.unmount();
    });

    it('makes open files fail when the device is pulled out, then cleans up', async () => {
      const mountPoint = path.join(await tempDir(), 'WST300LX1000999');
      const image = await mountImage(kind, mountPoint);
      const handle = await open(path.join(mountPoint, 'recording.mp4'), 'w');
      await handle.write(Buffer.alloc(4096, 1));

      await image.pullOut();
      await expect(handle.write(Buffer.alloc(4096, 2))).rejects.toMatchObject({
        code: expect.stringMatching(/^(ENOTCONN|EIO|ENODEV)$/),
      });
      await handle.close().catch(() => undefined);
      expect(mountFsType(mountPoint)).toBeNull();

      const imagePath = image.image;
      await image.unmount();
      expect(await loopDevicesOf(imagePath)).toEqual([]);
    });
  });
}
