import type { Command } from '../../shared/messages.js';
import type { BatchBook } from '../batches/batch-book.js';
import type { SubtaskRecord } from '../batches/model.js';

/** The one thing the coordinator needs from its broker connection to command agents. */
export interface CommandChannel {
  sendCommand(agentId: string, command: Command): void;
}

/**
 * Sends sync commands to agents. Sending the same taskId again is safe: an agent that knows the
 * task answers with its current state instead of starting it twice.
 */
export class Dispatcher {
  readonly #book: BatchBook;
  readonly #channel: CommandChannel;

  constructor(book: BatchBook, channel: CommandChannel) {
    this.#book = book;
    this.#channel = channel;
  }

  dispatch(batchId: string, subtask: SubtaskRecord): void {
    if (!subtask.taskId || !subtask.agentId) return;
    this.#channel.sendCommand(subtask.agentId, {
      type: 'sync',
      taskId: subtask.taskId,
      batchId,
      meetingId: subtask.meetingId,
      serialNumber: subtask.serialNumber,
      issuedAt: subtask.createdAt ?? Date.now(),
    });
  }

  /** Re-sends every unfinished subtask of an agent, e.g. after it or the coordinator restarted. */
  redispatchAgent(agentId: string): number {
    const taskIds = this.#book.openTaskIds(agentId);
    for (const taskId of taskIds) {
      const ref = this.#book.task(taskId);
      if (ref) this.dispatch(ref.batch.record.batchId, ref.subtask);
    }
    this.#channel.sendCommand(agentId, { type: 'report-state' });
    return taskIds.length;
  }
}

