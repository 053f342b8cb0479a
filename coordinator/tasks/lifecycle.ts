import { ErrorCode, errorMessage, type ErrorCodeValue } from '../../shared/error-codes.js';
import type { TaskState } from '../../shared/messages.js';
import type { Batch, BatchBook, TaskRef } from '../batches/batch-book.js';
import { isTerminal, type SubtaskRecord } from '../batches/model.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { Store } from '../store/store.js';
import { applyTaskState, type ApplyOutcome } from './apply-task-state.js';
import type { CommandChannel } from './command-channel.js';
import { DeviceWaits } from './device-waits.js';
import { Pacer } from './pacer.js';
import type { TaskEvents } from './task-events.js';

/** Failures worth another try without an operator: the cause is likely gone by then. */
const TRANSIENT: ReadonlySet<number> = new Set([
  ErrorCode.AgentLost,
  ErrorCode.WriteFailed,
  ErrorCode.DownloadFailed,
]);

export interface AutoRetryPolicy {
  /** Extra attempts after the first; 0 turns automatic retry off. */
  attempts: number;
  /** Wait before the first automatic retry; doubles for each further one. */
  backoffMs: number;
  /** How long a retry then waits for its device before it fails with 1001. */
  waitMs: number;
}

export interface LifecycleDeps {
  book: BatchBook;
  store: Store;
  events: TaskEvents;
  devices: DeviceRegistry;
  channel: CommandChannel;
  autoRetry: AutoRetryPolicy;
  now?: () => number;
}

/**
 * Every change of a subtask's state goes through here: dispatch (paced per batch), agent
 * reports, waits for offline devices, automatic and operator retries, and cancellation.
 */
export class TaskLifecycle {
  readonly #d: LifecycleDeps;
  readonly #now: () => number;
  readonly #pacer: Pacer;
  readonly #waits: DeviceWaits;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#pacer = new Pacer((batch, subtask) => this.#dispatch(batch, subtask));
    this.#waits = new DeviceWaits((serial) => deps.devices.onlineAgentFor(serial) !== undefined);
  }

  /** Takes over the batches loaded at start: queued, waiting and in-flight subtasks. */
  adoptLoaded(): void {
    for (const batch of this.#d.book.all()) {
      this.#pacer.adopt(batch);
      for (const subtask of batch.record.subtasks) this.#place({ batch, subtask });
      this.#pacer.pump(batch);
    }
  }

  /** Starts the periodic sweep of waiting subtasks; calling it again does nothing. */
  start(sweepMs = 500): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => this.sweep(), sweepMs);
    this.#sweeper.unref();
  }

  stop(): void {
    clearInterval(this.#sweeper);
  }

  /** Subtasks the creator has just persisted. */
  created(batch: Batch, subtasks: SubtaskRecord[]): void {
    for (const subtask of subtasks) this.#place({ batch, subtask });
    this.#pacer.pump(batch);
  }

  applyAgentState(agentId: string, message: TaskState): ApplyOutcome {
    const now = this.#now();
    const before = this.#d.book.task(message.taskId)?.subtask.status;
    const outcome = applyTaskState(this.#d.book, agentId, message, now);
    if (outcome !== 'applied') return outcome;

    const ref = this.#d.book.task(message.taskId)!;
    this.#d.store.saveLater(ref.batch.record, ref.subtask);
    const endedNow = isTerminal(ref.subtask.status) && !isTerminal(before ?? 'pending');
    if (endedNow) this.#ended(ref, true);
    else this.#d.events.publishState(message.taskId, isTerminal(ref.subtask.status));
    return outcome;
  }

  /** Re-sends an agent's dispatched, unfinished subtasks and asks it to re-tell its state. */
  redispatchAgent(agentId: string): number {
    const taskIds = this.#d.book.openTaskIds(agentId);
    for (const taskId of taskIds) {
      const ref = this.#d.book.task(taskId);
      if (ref) this.#sendSync(ref.batch, ref.subtask);
    }
    this.#d.channel.sendCommand(agentId, { type: 'report-state' });
    return taskIds.length;
  }

  /** The agent did not come back in time: its dispatched, unfinished subtasks fail (1005). */
  agentLost(agentId: string, detail: string): string[] {
    const taskIds = this.#d.book.openTaskIds(agentId);
    for (const taskId of taskIds) {
      const ref = this.#d.book.task(taskId);
      if (ref) this.#end(ref, 'failed', ErrorCode.AgentLost, detail);
    }
    return taskIds;
  }

  cancelBatch(batch: Batch): void {
    const now = this.#now();
    batch.record.cancelledAt ??= now;
    for (const subtask of batch.record.subtasks) this.#cancel({ batch, subtask });
    this.#d.book.touch(batch, now);
    this.#d.store.saveLater(batch.record);
  }

  cancelTask(ref: TaskRef): void {
    this.#cancel(ref);
  }

  /**
   * Gives failed subtasks a new attempt with a new taskId; the old attempt goes to `history`.
   * The device must be online now, unless the batch waits for offline devices.
   */
  retry(batch: Batch, subtasks: SubtaskRecord[]): void {
    const now = this.#now();
    const waitMs = batch.record.options?.offline === 'wait' ? (batch.record.options.waitSeconds ?? 0) * 1000 : 0;
    for (const subtask of subtasks) {
      this.#rearm({ batch, subtask }, now, now + waitMs);
    }
    this.sweep();
  }

  /** Dispatches waiting subtasks whose device is online; fails those that waited too long. */
  sweep(): void {
    const now = this.#now();
    const touched = new Set<Batch>();
    for (const [ref, outcome] of this.#waits.sweep(now)) {
      if (outcome === 'ready') this.#assign(ref, now);
      else this.#end(ref, 'failed', ErrorCode.DeviceOffline, offlineDetail(ref.subtask));
      touched.add(ref.batch);
    }
    for (const batch of touched) this.#pacer.pump(batch);
  }

  /** Puts a not-yet-dispatched subtask where it belongs: the pacer's queue or the device waits. */
  #place(ref: TaskRef): void {
    const { subtask } = ref;
    if (isTerminal(subtask.status) || subtask.dispatchedAt !== undefined) return;
    if (subtask.taskId) this.#pacer.enqueue(ref.batch, subtask);
    else if (subtask.waitUntil !== undefined) this.#waits.add(ref);
  }

  #assign(ref: TaskRef, now: number): void {
    const agentId = this.#d.devices.onlineAgentFor(ref.subtask.serialNumber)!;
    this.#d.book.updateSubtask(
      ref,
      {
        taskId: this.#d.book.unusedTaskId(new Date(now)),
        agentId,
        createdAt: now,
        waitUntil: undefined,
        notBefore: undefined,
      },
      now,
    );
    this.#d.store.saveLater(ref.batch.record, ref.subtask);
    this.#pacer.enqueue(ref.batch, ref.subtask);
  }

  #dispatch(batch: Batch, subtask: SubtaskRecord): void {
    const ref = this.#d.book.task(subtask.taskId!);
    if (!ref) return;
    this.#d.book.updateSubtask(ref, { dispatchedAt: this.#now() }, this.#now());
    this.#d.store.saveLater(batch.record, ref.subtask);
    this.#sendSync(batch, subtask);
  }

  #sendSync(batch: Batch, subtask: SubtaskRecord): void {
    this.#d.channel.sendCommand(subtask.agentId!, {
      type: 'sync',
      taskId: subtask.taskId!,
      batchId: batch.record.batchId,
      meetingId: subtask.meetingId,
      serialNumber: subtask.serialNumber,
      issuedAt: subtask.createdAt ?? this.#now(),
    });
  }

  #cancel(ref: TaskRef): void {
    const { subtask } = ref;
    if (isTerminal(subtask.status)) return;
    const agentOnline = subtask.agentId && this.#d.devices.agentOnline(subtask.agentId);
    if (subtask.dispatchedAt !== undefined && agentOnline) {
      // The agent aborts the copy, removes its temp file and answers `failed` with 1008.
      this.#d.channel.sendCommand(subtask.agentId!, { type: 'cancel', taskId: subtask.taskId! });
      return;
    }
    this.#end(ref, 'cancelled', ErrorCode.Cancelled, 'cancelled before it reached the agent');
  }

  #end(
    ref: TaskRef,
    status: 'failed' | 'cancelled',
    code: ErrorCodeValue,
    detail: string,
  ): void {
    const now = this.#now();
    const wasDispatched = ref.subtask.dispatchedAt !== undefined;
    this.#d.book.updateSubtask(
      ref,
      { status, errorCode: code, errorMessage: errorMessage(code), errorDetail: detail, completedAt: now },
      now,
    );
    this.#d.store.saveLater(ref.batch.record, ref.subtask);
    this.#ended(ref, wasDispatched);
  }

  /** After any end: tell watchers, free the batch's slot, and retry a transient failure. */
  #ended(ref: TaskRef, wasDispatched: boolean): void {
    const { batch, subtask } = ref;
    if (subtask.taskId) this.#d.events.publishState(subtask.taskId, true);
    if (wasDispatched) this.#pacer.released(batch);

    const { attempts, backoffMs, waitMs } = this.#d.autoRetry;
    const attempt = subtask.attempt ?? 1;
    const transient = subtask.status === 'failed' && TRANSIENT.has(subtask.errorCode ?? 0);
    if (!transient || attempt > attempts || batch.record.cancelledAt !== undefined) return;

    const notBefore = this.#now() + backoffMs * 2 ** (attempt - 1);
    this.#rearm(ref, notBefore, notBefore + waitMs);
  }

  /** A new attempt for an ended subtask: history kept, waiting for its device from `notBefore`. */
  #rearm(ref: TaskRef, notBefore: number, waitUntil: number): void {
    const { subtask } = ref;
    const now = this.#now();
    const attempt = subtask.attempt ?? 1;
    const history = [
      ...(subtask.history ?? []),
      {
        attempt,
        taskId: subtask.taskId,
        status: subtask.status,
        errorCode: subtask.errorCode,
        errorMessage: subtask.errorMessage,
        errorDetail: subtask.errorDetail,
        endedAt: subtask.completedAt,
      },
    ];
    this.#d.book.updateSubtask(
      ref,
      {
        ...CLEARED_ATTEMPT,
        status: 'pending',
        attempt: attempt + 1,
        history,
        notBefore,
        waitUntil: Math.max(waitUntil, notBefore),
      },
      now,
    );
    this.#d.store.saveLater(ref.batch.record, ref.subtask);
    this.#waits.add(ref);
  }
}

/** Why a waiting subtask gave up: it waited for its device, or there was no wait at all. */
function offlineDetail(subtask: SubtaskRecord): string {
  const waited = (subtask.waitUntil ?? 0) > (subtask.notBefore ?? subtask.createdAt ?? 0);
  return waited ? 'device did not come online in time' : 'device not online';
}

/** What belongs to one attempt and is cleared before the next. */
const CLEARED_ATTEMPT: Partial<SubtaskRecord> = {
  taskId: undefined,
  agentId: undefined,
  createdAt: undefined,
  startedAt: undefined,
  completedAt: undefined,
  dispatchedAt: undefined,
  packageSize: undefined,
  fileCount: undefined,
  skippedFiles: undefined,
  errorCode: undefined,
  errorMessage: undefined,
  errorDetail: undefined,
  seq: undefined,
};
