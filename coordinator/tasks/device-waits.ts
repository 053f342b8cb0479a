import type { TaskRef } from '../batches/batch-book.js';
import { isTerminal } from '../batches/model.js';

export type WaitOutcome = 'ready' | 'expired' | 'waiting';

/**
 * Subtasks waiting for their device (offline at creation with `offline: "wait"`, or an automatic
 * retry that backs off). A sweep decides for each: dispatch now, give up, or keep waiting.
 */
export class DeviceWaits {
  readonly #waiting = new Set<TaskRef>();
  readonly #isOnline: (serialNumber: string) => boolean;

  constructor(isOnline: (serialNumber: string) => boolean) {
    this.#isOnline = isOnline;
  }

  add(ref: TaskRef): void {
    this.#waiting.add(ref);
  }

  get size(): number {
    return this.#waiting.size;
  }

  check({ subtask }: TaskRef, now: number): WaitOutcome {
    if (now >= (subtask.notBefore ?? 0) && this.#isOnline(subtask.serialNumber)) return 'ready';
    if (now >= (subtask.waitUntil ?? 0)) return 'expired';
    return 'waiting';
  }

  /** Takes out every subtask that is ready or expired, with its outcome. */
  sweep(now: number): [TaskRef, Exclude<WaitOutcome, 'waiting'>][] {
    const settled: [TaskRef, Exclude<WaitOutcome, 'waiting'>][] = [];
    for (const ref of this.#waiting) {
      if (isTerminal(ref.subtask.status) || ref.subtask.taskId) {
        this.#waiting.delete(ref);
        continue;
      }
      const outcome = this.check(ref, now);
      if (outcome === 'waiting') continue;
      this.#waiting.delete(ref);
      settled.push([ref, outcome]);
    }
    return settled;
  }
}
