/**
 * Helpers for the fault suites (`test/fault-*.test.ts`): find a copy in flight on a device, and
 * read device presence from the API.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ApiClient } from './api.js';
import { listFiles } from './library.js';
import { pollUntil } from './wait.js';

export interface DeviceView {
  serialNumber: string;
  agentId: string;
  online: boolean;
  mountPath?: string;
  fsType?: string;
  freeBytes?: number;
  totalBytes?: number;
}

/** Temporary `.wst-part` files anywhere below `dir` (relative paths); empty when there are none. */
export async function partFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((file) => file.endsWith('.wst-part'));
}

/** Waits until `<dir>/.<name>.wst-part` holds at least `bytes`: the copy of `name` is under way. */
export async function waitForPartFile(
  dir: string,
  name: string,
  bytes: number,
  timeoutMs = 20_000,
): Promise<string> {
  const part = path.join(dir, `.${name}.wst-part`);
  await pollUntil(
    () =>
      stat(part).then(
        (s) => s.size,
        () => 0,
      ),
    (size) => size >= bytes,
    { timeoutMs, intervalMs: 20, description: `${part} to reach ${bytes} bytes` },
  );
  return part;
}

/** Every device the coordinator knows, online or not (`GET /api/v1/mount/devices?all=true`). */
export async function allDevices(api: ApiClient): Promise<DeviceView[]> {
  const res = await api.request('GET', '/api/v1/mount/devices?all=true');
  return (res.body as { data: { devices: DeviceView[] } }).data.devices;
}

/** Waits until the coordinator shows `serialNumber` with `online`; returns that view. */
export async function waitForDevice(
  api: ApiClient,
  serialNumber: string,
  online: boolean,
  timeoutMs = 15_000,
): Promise<DeviceView> {
  const devices = await pollUntil(
    () => allDevices(api),
    (list) => list.some((d) => d.serialNumber === serialNumber && d.online === online),
    { timeoutMs, intervalMs: 50, description: `${serialNumber} ${online ? 'online' : 'offline'}` },
  );
  return devices.find((d) => d.serialNumber === serialNumber)!;
}

/** Names in `dir`, or `[]` when it does not exist. */
export function entriesOf(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
