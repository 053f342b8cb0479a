import { EventEmitter } from 'node:events';
import type { TaskProgress } from '../../shared/messages.js';

export type TaskEvent = { type: 'progress'; progress: TaskProgress } | { type: 'state' };

/**
 * Live task progress, kept in memory only, and the fan-out to everyone watching a task (SSE
 * streams). State changes are announced here after they have been applied to the batch book.
 */
export class TaskEvents {
  readonly #latest = new Map<string, TaskProgress>();
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  latest(taskId: string): TaskProgress | undefined {
    return this.#latest.get(taskId);
  }

  publishProgress(progress: TaskProgress): void {
    this.#latest.set(progress.taskId, progress);
    this.#emitter.emit(progress.taskId, { type: 'progress', progress } satisfies TaskEvent);
  }

  /** Announces a state change; progress of an ended task is dropped from memory. */
  publishState(taskId: string, ended: boolean): void {
    this.#emitter.emit(taskId, { type: 'state' } satisfies TaskEvent);
    if (ended) this.#latest.delete(taskId);
  }

  subscribe(taskId: string, listener: (event: TaskEvent) => void): () => void {
    this.#emitter.on(taskId, listener);
    return () => this.#emitter.off(taskId, listener);
  }

  get watcherCount(): number {
    return this.#emitter.eventNames().reduce((n, name) => n + this.#emitter.listenerCount(name), 0);
  }
}
