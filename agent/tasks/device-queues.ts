/**
 * One FIFO queue of task ids per device serial number, with at most one running task each and
 * at most `maxRunning` across all devices. A queue only moves while its device is online.
 */
export class DeviceQueues {
  readonly #waiting = new Map<string, string[]>();
  readonly #running = new Map<string, string>();
  readonly #online = new Set<string>();
  readonly #maxRunning: number;

  constructor(maxRunning = Number.POSITIVE_INFINITY) {
    this.#maxRunning = maxRunning;
  }

  enqueue(serialNumber: string, taskId: string, { front = false } = {}): void {
    const queue = this.#waiting.get(serialNumber) ?? [];
    if (queue.includes(taskId)) return;
    if (front) queue.unshift(taskId);
    else queue.push(taskId);
    this.#waiting.set(serialNumber, queue);
  }

  /** Takes a waiting task off its queue; true if it was waiting. */
  remove(serialNumber: string, taskId: string): boolean {
    const queue = this.#waiting.get(serialNumber) ?? [];
    const at = queue.indexOf(taskId);
    if (at >= 0) queue.splice(at, 1);
    return at >= 0;
  }

  setOnline(serialNumber: string, online: boolean): void {
    if (online) this.#online.add(serialNumber);
    else this.#online.delete(serialNumber);
  }

  /** Marks a task finished on its device, freeing the device for the next one. */
  finish(serialNumber: string, taskId: string): void {
    if (this.#running.get(serialNumber) === taskId) this.#running.delete(serialNumber);
  }

  running(serialNumber: string): string | undefined {
    return this.#running.get(serialNumber);
  }

  /** Starts (returns and marks running) the next task of every online, idle device. */
  next(): { serialNumber: string; taskId: string }[] {
    const started: { serialNumber: string; taskId: string }[] = [];
    for (const [serialNumber, queue] of this.#waiting) {
      if (this.#running.size >= this.#maxRunning) break;
      if (!this.#online.has(serialNumber) || this.#running.has(serialNumber)) continue;
      const taskId = queue.shift();
      if (!taskId) continue;
      this.#running.set(serialNumber, taskId);
      started.push({ serialNumber, taskId });
    }
    return started;
  }
}
