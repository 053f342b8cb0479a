import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A device directory `<mountRoot>/<name>`. With `serialNumber` it also gets
 * `.wst300/device.json`, which the agent reads in preference to the directory name.
 */
export async function makeDeviceDir(
  mountRoot: string,
  name: string,
  serialNumber?: string,
): Promise<string> {
  const dir = path.join(mountRoot, name);
  await mkdir(dir, { recursive: true });
  if (serialNumber !== undefined) {
    await mkdir(path.join(dir, '.wst300'), { recursive: true });
    await writeFile(
      path.join(dir, '.wst300', 'device.json'),
      JSON.stringify({ serialNumber }) + '\n',
    );
  }
  return dir;
}
