import { newBatchId, newTaskId } from '../../shared/ids.js';
import { deriveBatchStatus } from './batch-status.js';
import {
  isTerminal,
  type BatchRecord,
  type BatchStatus,
  type StatusCounts,
  type SubtaskRecord,
} from './model.js';

/** A batch in memory: its record plus counters kept up to date on every change. */
export interface Batch {
  record: BatchRecord;
  counts: StatusCounts;
}

export interface TaskRef {
  batch: Batch;
  subtask: SubtaskRecord;
}

function countStatuses(subtasks: SubtaskRecord[]): StatusCounts {
  const counts: StatusCounts = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const subtask of subtasks) counts[subtask.status] += 1;
  return counts;
}

/**
 * Every batch the coordinator knows, indexed by batch id, task id and idempotency key. Counters
 * are kept incrementally so that status reads stay O(1) in batch size.
 */
export class BatchBook {
  readonly #batches = new Map<string, Batch>();
  /** In creation order; listing newest first walks it backwards. */
  readonly #order: Batch[] = [];
  readonly #tasks = new Map<string, TaskRef>();
  readonly #byIdempotencyKey = new Map<string, Batch>();
  /** Dispatched, unfinished subtasks by agent, for re-dispatch when an agent (re)connects. */
  readonly #openByAgent = new Map<string, Set<string>>();

  /** Adds a batch; batches must be added oldest first. */
  add(record: BatchRecord): Batch {
    const batch: Batch = { record, counts: countStatuses(record.subtasks) };
    this.#batches.set(record.batchId, batch);
    this.#order.push(batch);
    if (record.idempotencyKey) this.#byIdempotencyKey.set(record.idempotencyKey, batch);
    for (const subtask of record.subtasks) this.#index(batch, subtask);
    return batch;
  }

  /** A task id no subtask has: ids are stamped to the second, so a big batch could repeat one. */
  unusedTaskId(at: Date): string {
    let id: string;
    do id = newTaskId(at);
    while (this.#tasks.has(id));
    return id;
  }

  unusedBatchId(at: Date): string {
    let id: string;
    do id = newBatchId(at);
    while (this.#batches.has(id));
    return id;
  }

  get(batchId: string): Batch | undefined {
    return this.#batches.get(batchId);
  }

  byIdempotencyKey(key: string): Batch | undefined {
    return this.#byIdempotencyKey.get(key);
  }

  task(taskId: string): TaskRef | undefined {
    return this.#tasks.get(taskId);
  }

  /** Newest first. */
  newestFirst(): Batch[] {
    return [...this.#order].reverse();
  }

  all(): readonly Batch[] {
    return this.#order;
  }

  get size(): number {
    return this.#order.length;
  }

  /** Batches whose subtasks are not all created yet, oldest first. */
  unfinishedCreation(): Batch[] {
    return this.#order.filter((b) => b.record.subtasks.length < b.record.totalCount);
  }

  /** Agents that hold subtasks of batches that have not ended. */
  agentsOfUnendedBatches(): Set<string> {
    const agents = new Set<string>();
    for (const batch of this.#order) {
      const status = this.status(batch);
      if (status !== 'pending' && status !== 'running') continue;
      for (const subtask of batch.record.subtasks) if (subtask.agentId) agents.add(subtask.agentId);
    }
    return agents;
  }

  agentsWithOpenTasks(): string[] {
    return [...this.#openByAgent].filter(([, open]) => open.size > 0).map(([agentId]) => agentId);
  }

  openTaskIds(agentId: string): string[] {
    return [...(this.#openByAgent.get(agentId) ?? [])];
  }

  /** Appends a subtask processed by the creator. */
  appendSubtask(batch: Batch, subtask: SubtaskRecord, now: number): void {
    batch.record.subtasks.push(subtask);
    batch.counts[subtask.status] += 1;
    this.#index(batch, subtask);
    this.#touch(batch, now);
  }

  /** Applies a change to a subtask, keeping counters, indexes and the batch end time right. */
  updateSubtask(ref: TaskRef, change: Partial<SubtaskRecord>, now: number): void {
    const { batch, subtask } = ref;
    const before = subtask.status;
    const previousTaskId = subtask.taskId;
    if (previousTaskId) this.#unindex(subtask);
    if ('taskId' in change && change.taskId !== previousTaskId && previousTaskId) {
      this.#tasks.delete(previousTaskId);
    }
    Object.assign(subtask, change);
    for (const key of Object.keys(change) as (keyof SubtaskRecord)[]) {
      if (change[key] === undefined) delete subtask[key];
    }
    if (subtask.status !== before) {
      batch.counts[before] -= 1;
      batch.counts[subtask.status] += 1;
    }
    this.#index(batch, subtask);
    this.#touch(batch, now);
  }

  status(batch: Batch): BatchStatus {
    const { record, counts } = batch;
    return deriveBatchStatus(
      record.totalCount,
      record.subtasks.length,
      counts,
      record.cancelledAt !== undefined,
    );
  }

  /** Re-reads the batch's end time after a batch-level change (cancel). */
  touch(batch: Batch, now: number): void {
    this.#touch(batch, now);
  }

  #index(batch: Batch, subtask: SubtaskRecord): void {
    if (!subtask.taskId) return;
    this.#tasks.set(subtask.taskId, { batch, subtask });
    if (subtask.agentId && subtask.dispatchedAt !== undefined && !isTerminal(subtask.status)) {
      let open = this.#openByAgent.get(subtask.agentId);
      if (!open) this.#openByAgent.set(subtask.agentId, (open = new Set()));
      open.add(subtask.taskId);
    }
  }

  #unindex(subtask: SubtaskRecord): void {
    if (!subtask.taskId) return;
    if (subtask.agentId) this.#openByAgent.get(subtask.agentId)?.delete(subtask.taskId);
  }

  #touch(batch: Batch, now: number): void {
    batch.record.updatedAt = now;
    const status = this.status(batch);
    const ended = status !== 'pending' && status !== 'running';
    if (ended && batch.record.endedAt === undefined) batch.record.endedAt = now;
    if (!ended) delete batch.record.endedAt;
  }
}
