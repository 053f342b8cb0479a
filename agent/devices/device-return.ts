export interface DeviceReturnOptions {
  /** How long a device may stay away; 0 fails at once. */
  graceMs: number;
  /** Whether a device with this serial number is mounted under the mount root right now. */
  isPresent: (serialNumber: string) => boolean;
  /** Brings `isPresent` up to date (a rescan of the mount root). */
  confirm: () => Promise<void>;
  now?: () => number;
}

interface Loss {
  until: number;
  returnedAt?: number;
}

/**
 * Waits for a device that went away in the middle of a copy to come back, under any mount path,
 * for at most the grace period. A loss soon after a return (within the grace) continues the
 * earlier one, so a device that keeps failing cannot keep a task alive forever.
 */
export class DeviceReturnWaiter {
  readonly #options: DeviceReturnOptions;
  readonly #losses = new Map<string, Loss>();
  readonly #waiting = new Map<string, Set<() => void>>();

  constructor(options: DeviceReturnOptions) {
    this.#options = options;
  }

  /** True once the device is back; false when the grace ran out; rejects when `signal` aborts. */
  async wait(serialNumber: string, signal: AbortSignal): Promise<boolean> {
    const loss = this.#lossOf(serialNumber);

    // The copy may have seen the device go before the watcher did: look again first.
    await this.#options.confirm();
    signal.throwIfAborted();
    const back =
      this.#options.isPresent(serialNumber) || (await this.#until(serialNumber, loss, signal));
    if (back) loss.returnedAt = this.#now();
    else this.#losses.delete(serialNumber);
    return back;
  }

  /** A device with this serial number was added under the mount root. */
  deviceOnline(serialNumber: string): void {
    for (const wake of this.#waiting.get(serialNumber) ?? []) wake();
  }

  /** Forgets the losses of a device whose task ended. */
  forget(serialNumber: string): void {
    this.#losses.delete(serialNumber);
  }

  #lossOf(serialNumber: string): Loss {
    const now = this.#now();
    const previous = this.#losses.get(serialNumber);
    const recent =
      previous && (previous.returnedAt === undefined || now - previous.returnedAt <= this.#grace());
    const loss = recent ? previous : { until: now + this.#grace() };
    this.#losses.set(serialNumber, loss);
    return loss;
  }

  #until(serialNumber: string, loss: Loss, signal: AbortSignal): Promise<boolean> {
    const left = loss.until - this.#now();
    if (left <= 0) return Promise.resolve(false);

    return new Promise((resolve, reject) => {
      const waiting = this.#waiting.get(serialNumber) ?? new Set();
      this.#waiting.set(serialNumber, waiting);
      const settle = (outcome: boolean | Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        waiting.delete(wake);
        if (waiting.size === 0) this.#waiting.delete(serialNumber);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const wake = () => {
        if (this.#options.isPresent(serialNumber)) settle(true);
      };
      const onAbort = () => settle(toError(signal.reason));
      const timer = setTimeout(() => settle(false), left);
      waiting.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #grace(): number {
    return this.#options.graceMs;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
