import { EventEmitter } from 'node:events';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { readSerial } from './read-serial.js';

export interface Device {
  serialNumber: string;
  mountPath: string;
}

interface DeviceWatcherEvents {
  added: [Device];
  removed: [Device];
  /** A directory that is not a device (bad name, duplicate serial); once per reason. */
  skipped: [{ mountPath: string; reason: string }];
  error: [Error];
}

interface Entry extends Device {
  dev: number;
  ino: number;
}

/**
 * Watches a mount root: each directory directly below it is one device. Chokidar reports
 * directories coming and going; a rescan every `rescanMs` catches what it cannot see (a
 * device.json written later, a filesystem mounted or unmounted on an existing directory).
 */
export class DeviceWatcher extends EventEmitter<DeviceWatcherEvents> {
  readonly #root: string;
  readonly #rescanMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #skipped = new Map<string, string>();
  /** Mount points whose filesystem went away: empty host directories, not devices. */
  readonly #unmounted = new Set<string>();
  #rootDev = 0;
  #rootIno = 0;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(mountRoot: string, { rescanMs = 2000 } = {}) {
    super();
    this.#root = path.resolve(mountRoot);
    this.#rescanMs = rescanMs;
  }

  /** Resolves once the devices present at start have been reported. */
  async start(): Promise<void> {
    const root = await stat(this.#root);
    [this.#rootDev, this.#rootIno] = [root.dev, root.ino];
    await this.#watch();
    await this.rescan();
    this.#timer = setInterval(() => void this.rescan(), this.#rescanMs);
    this.#timer.unref();
  }

  async #watch(): Promise<void> {
    const watcher = watch(this.#root, {
      depth: 0,
      ignoreInitial: false,
      ignored: (_path, stats) => stats?.isFile() ?? false,
    });
    this.#watcher = watcher;
    watcher.on('addDir', (dir) => this.#isDevicePath(dir) && this.#queue(() => this.#refresh(dir)));
    watcher.on(
      'unlinkDir',
      (dir) => this.#isDevicePath(dir) && this.#queue(async () => this.#drop(dir)),
    );
    watcher.on('error', (error) => this.emit('error', toError(error)));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
  }

  /** Checks every directory below the root again; resolves when the events are out. */
  rescan(): Promise<void> {
    return this.#queue(async () => {
      await this.#checkRoot();
      const names = await readdir(this.#root).catch(() => []);
      const dirs = new Set(names.map((name) => path.join(this.#root, name)));
      for (const dir of this.#entries.keys()) dirs.add(dir);
      for (const dir of dirs) await this.#refresh(dir);
    });
  }

  devices(): Device[] {
    return [...this.#entries.values()].map(({ serialNumber, mountPath }) => ({
      serialNumber,
      mountPath,
    }));
  }

  find(serialNumber: string): Device | undefined {
    return this.devices().find((device) => device.serialNumber === serialNumber);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#watcher?.close();
    await this.#chain;
  }

  #isDevicePath(dir: string): boolean {
    return path.dirname(path.resolve(dir)) === this.#root;
  }

  #queue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step).catch((error: unknown) => {
      this.emit('error', toError(error));
    });
    this.#chain = next;
    return next;
  }

  /**
   * A mount root that was removed and created again is a new directory: the old watch saw its
   * last event, so watch the new one (the rescan finds what is in it).
   */
  async #checkRoot(): Promise<void> {
    const root = await stat(this.#root).catch(() => null);
    if (!root || this.#closed || root.ino === this.#rootIno) return;
    [this.#rootDev, this.#rootIno] = [root.dev, root.ino];
    await this.#watcher?.close();
    if (!this.#closed) await this.#watch();
  }

  async #refresh(dir: string): Promise<void> {
    const previous = this.#entries.get(dir);
    const stats = await stat(dir).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (stats instanceof Error) {
      // A FUSE mount whose daemon died answers ENOTCONN until it is unmounted; what is left
      // after that is the empty mount point, not the device.
      const gone = stats.code === 'ENOENT' || stats.code === 'ENOTDIR';
      if (!gone && previous && previous.dev !== this.#rootDev) this.#unmounted.add(dir);
      return this.#drop(dir, { keepUnmounted: !gone });
    }
    if (!stats.isDirectory()) return this.#drop(dir);

    if (stats.dev === this.#rootDev) {
      // An unmounted device leaves its mount point behind: an empty directory of the host.
      if (previous && previous.dev !== this.#rootDev) this.#unmounted.add(dir);
      if (this.#unmounted.has(dir)) return this.#drop(dir, { keepUnmounted: true });
    }
    this.#unmounted.delete(dir);

    const reading = await readSerial(dir);
    if (!reading.ok) return this.#skip(dir, reading.reason);
    const { serialNumber } = reading;
    const same = previous?.dev === stats.dev && previous.ino === stats.ino;
    if (same && previous?.serialNumber === serialNumber) return;
    if (previous) this.#drop(dir);

    const holder = [...this.#entries.values()].find((entry) => entry.serialNumber === serialNumber);
    if (holder) return this.#skip(dir, `serial ${serialNumber} is already at ${holder.mountPath}`);

    this.#skipped.delete(dir);
    this.#entries.set(dir, { serialNumber, mountPath: dir, dev: stats.dev, ino: stats.ino });
    this.emit('added', { serialNumber, mountPath: dir });
  }

  #skip(dir: string, reason: string): void {
    const known = this.#skipped.get(dir);
    this.#drop(dir);
    this.#skipped.set(dir, reason);
    if (known === reason) return;
    this.emit('skipped', { mountPath: dir, reason });
  }

  #drop(dir: string, { keepUnmounted = false } = {}): void {
    if (!keepUnmounted) this.#unmounted.delete(dir);
    this.#skipped.delete(dir);
    const entry = this.#entries.get(dir);
    if (!entry) return;
    this.#entries.delete(dir);
    this.emit('removed', { serialNumber: entry.serialNumber, mountPath: dir });
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
