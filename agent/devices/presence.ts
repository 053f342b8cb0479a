import type { DevicePresence } from '../../shared/messages.js';
import type { Device } from './device-watcher.js';
import { readFsType } from './fs-type.js';
import { readSpace, type DeviceSpace } from './space.js';

interface Known extends Device {
  fsType?: string;
  space?: DeviceSpace | null;
}

/**
 * What the agent tells about its devices: online with mount path, space and filesystem type,
 * or offline. Space is re-read on request and published only when it changed.
 */
export class DevicePresenceTracker {
  readonly #publish: (presence: DevicePresence) => void;
  readonly #devices = new Map<string, Known>();
  readonly #forget?: { afterMs: number; clear: (serialNumber: string) => void };
  readonly #forgetTimers = new Map<string, NodeJS.Timeout>();

  /**
   * With `forget`, a device that stays away `afterMs` (the grace period) has its retained
   * presence cleared, so MQTT tools do not show a ghost of it.
   */
  constructor(
    publish: (presence: DevicePresence) => void,
    forget?: { afterMs: number; clear: (serialNumber: string) => void },
  ) {
    this.#publish = publish;
    this.#forget = forget;
  }

  async add(device: Device): Promise<void> {
    clearTimeout(this.#forgetTimers.get(device.serialNumber));
    this.#forgetTimers.delete(device.serialNumber);
    const known: Known = { ...device, fsType: await readFsType(device.mountPath) };
    known.space = await readSpace(device.mountPath).catch(() => null);
    this.#devices.set(device.serialNumber, known);
    this.#publish(online(known));
  }

  remove(device: Device): void {
    this.#devices.delete(device.serialNumber);
    this.#publish({
      serialNumber: device.serialNumber,
      online: false,
      mountPath: device.mountPath,
      at: Date.now(),
    });
    if (!this.#forget) return;
    const { afterMs, clear } = this.#forget;
    clearTimeout(this.#forgetTimers.get(device.serialNumber));
    const timer = setTimeout(() => {
      this.#forgetTimers.delete(device.serialNumber);
      if (!this.#devices.has(device.serialNumber)) clear(device.serialNumber);
    }, afterMs);
    timer.unref();
    this.#forgetTimers.set(device.serialNumber, timer);
  }

  /** Stops pending clears (the agent is stopping). */
  close(): void {
    for (const timer of this.#forgetTimers.values()) clearTimeout(timer);
    this.#forgetTimers.clear();
  }

  /** Reads free space again (of one device or all) and publishes what changed. */
  async refresh(serialNumber?: string): Promise<void> {
    const targets = serialNumber ? [this.#devices.get(serialNumber)] : [...this.#devices.values()];
    for (const known of targets) {
      if (!known) continue;
      const space = await readSpace(known.mountPath).catch(() => null);
      if (!space || sameSpace(space, known.space)) continue;
      known.space = space;
      if (this.#devices.get(known.serialNumber) === known) this.#publish(online(known));
    }
  }

  /** Publishes every online device again (after a reconnect). */
  republish(): void {
    for (const known of this.#devices.values()) this.#publish(online(known));
  }

  get(serialNumber: string): { mountPath: string; fsType?: string } | undefined {
    const known = this.#devices.get(serialNumber);
    return known && { mountPath: known.mountPath, fsType: known.fsType };
  }

  serialNumbers(): string[] {
    return [...this.#devices.keys()];
  }
}

function online(known: Known): DevicePresence {
  return {
    serialNumber: known.serialNumber,
    online: true,
    mountPath: known.mountPath,
    freeBytes: known.space?.freeBytes,
    totalBytes: known.space?.totalBytes,
    fsType: known.fsType,
    at: Date.now(),
  };
}

function sameSpace(a: DeviceSpace, b: DeviceSpace | null | undefined): boolean {
  return a.freeBytes === b?.freeBytes && a.totalBytes === b.totalBytes;
}
