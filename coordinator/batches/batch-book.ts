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
  const counts: StatusCounts = { pending: 0, running: 0, completed: 0, failed: 0 };
  for (const subtask of subtasks) counts[subtask.status] += 1;
  return counts;
}

/**
 * Every batch the coordinator knows, indexed by batch id and task id. Counters are kept
 * incrementally so that status reads stay O(1) in batch size.
 */
export class BatchBook {
  readonly #batches = new Map<string, Batch>();
  /** In creation order; listing newest first walks it backwards. */
  readonly #order: Batch[] = [];
  readonly #tasks = new Map<string, TaskRef>();
  /** Non-terminal subtasks by agent, for re-dispatch when an agent (re)connects. */
  readonly #openByAgent = new Map<string, Set<string>>();

  /** Adds a batch; batches must be added oldest first. */
  add(record: BatchRecord): Batch {
    const batch: Batch = { record, counts: countStatuses(record.subtasks) };
    this.#batches.set(record.batchId, batch);
    this.#order.push(batch);
    for (const subtask of record.subtasks) this.#index(batch, subtask);
    return batch;
  }

  get(batchId: string): Batch | undefined {
    return this.#batches.get(batchId);
  }

  task(taskId: string): TaskRef | undefined {
    return this.#tasks.get(taskId);
  }

  /** Newest first. */
  newestFirst(): Batch[] {
    return [...this.#order].reverse();
  }

  get size(): number {
    return this.#order.length;
  }

  /** Batches whose subtasks are not all created yet, oldest first. */
  unfinishedCreation(): Batch[] {
    return this.#order.filter((b) => b.record.subtasks.length < b.record.totalCount);
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
    Object.assign(subtask, change);
    if (subtask.status !== before) {
      batch.counts[before] -= 1;
      batch.counts[subtask.status] += 1;
    }
    if (isTerminal(subtask.status) && subtask.taskId && subtask.agentId) {
      this.#openByAgent.get(subtask.agentId)?.delete(subtask.taskId);
    }
    this.#touch(batch, now);
  }

  status(batch: Batch): BatchStatus {
    return deriveBatchStatus(batch.record.totalCount, batch.record.subtasks.length, batch.counts);
  }

  #index(batch: Batch, subtask: SubtaskRecord): void {
    if (!subtask.taskId) return;
    this.#tasks.set(subtask.taskId, { batch, subtask });
    if (subtask.agentId && !isTerminal(subtask.status)) {
      let open = this.#openByAgent.get(subtask.agentId);
      if (!open) this.#openByAgent.set(subtask.agentId, (open = new Set()));
      open.add(subtask.taskId);
    }
  }

  #touch(batch: Batch, now: number): void {
    batch.record.updatedAt = now;
    const status = this.status(batch);
    const ended = status !== 'pending' && status !== 'running';
    if (ended && batch.record.endedAt === undefined) batch.record.endedAt = now;
    if (!ended) delete batch.record.endedAt;
  }
}
