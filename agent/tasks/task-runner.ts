import { EventEmitter } from 'node:events';
import { ErrorCode } from '../../shared/error-codes.js';
import type { Logger } from '../../shared/logger.js';
import type { SyncCommand, TaskProgress, TaskState } from '../../shared/messages.js';
import type { CoordinatorEndpoint } from '../copy/coordinator-http.js';
import { CopyError } from '../copy/copy-error.js';
import type { CopyMeetingResult } from '../copy/copy-meeting.js';
import { isTerminal, type TaskRecord } from '../journal/journal-schema.js';
import type { Journal } from '../journal/journal.js';
import { DeviceQueues } from './device-queues.js';
import { endTask, type TaskOutcome } from './end-task.js';
import { runCopy, type RunCopyOptions } from './run-copy.js';
import { taskLogFields, toTaskState } from './task-state.js';

/** Where a device is mounted right now. */
export interface MountedDevice {
  mountPath: string;
  fsType?: string;
}

export interface TaskRunnerOptions {
  /** Copies running at once across all devices of this host; unlimited when unset. */
  maxParallelCopies?: number;
  journal: Journal;
  publisher: {
    publishTaskState(state: TaskState): void;
    publishProgress(progress: TaskProgress): void;
  };
  locate: (serialNumber: string) => MountedDevice | undefined;
  endpoint: CoordinatorEndpoint;
  progressIntervalMs: number;
  bwlimit: number;
  logger: Logger;
  /**
   * Asked when a copy failed because its device went away: resolve true to queue the task again
   * (the device came back in time), false to fail it with 1003. `signal` aborts on cancel or
   * stop. Default: fail at once.
   */
  awaitDeviceReturn?: (serialNumber: string, signal: AbortSignal) => Promise<boolean>;
  copy?: RunCopyOptions['copy'];
}

interface TaskRunnerEvents {
  /** A task reached completed or failed. */
  ended: [TaskRecord];
}

interface Active {
  controller: AbortController;
  done?: Promise<void>;
  /** Set while the task waits for its device to come back; the device is known to be away. */
  awaitingDevice?: boolean;
}

/** Aborts a copy so that it stays resumable: not failed, journal untouched. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

/**
 * Accepts sync and cancel commands, keeps one FIFO queue per device, runs at most one copy per
 * device, and turns every outcome into a journaled, published task state.
 */
export class TaskRunner extends EventEmitter<TaskRunnerEvents> {
  readonly #options: TaskRunnerOptions;
  readonly #queues: DeviceQueues;
  readonly #running = new Map<string, Active>();
  #stopping = false;

  constructor(options: TaskRunnerOptions) {
    super();
    this.#options = options;
    this.#queues = new DeviceQueues(options.maxParallelCopies);
  }

  /** Copies running right now (waiting for a device that went away included). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Queues every unfinished task of the journal again, oldest first. */
  resume(): void {
    const unfinished = this.#options.journal.all().filter((record) => !isTerminal(record));
    unfinished.sort((a, b) => a.command.issuedAt - b.command.issuedAt);
    for (const { command } of unfinished) {
      this.#queues.enqueue(command.serialNumber, command.taskId);
    }
    this.#pump();
  }

  async sync(command: SyncCommand): Promise<'accepted' | 'duplicate'> {
    const { journal, publisher } = this.#options;
    const known = journal.get(command.taskId);
    if (known) {
      await journal.flush();
      publisher.publishTaskState(toTaskState(known));
      return 'duplicate';
    }

    const record = journal.accept(command);
    await journal.flush();
    publisher.publishTaskState(toTaskState(record));
    this.#queues.enqueue(command.serialNumber, command.taskId);
    this.#pump();
    return 'accepted';
  }

  async cancel(taskId: string): Promise<'cancelling' | 'cancelled' | 'ended' | 'unknown'> {
    const record = this.#options.journal.get(taskId);
    if (!record) return 'unknown';
    if (isTerminal(record)) {
      await this.#options.journal.flush();
      this.#options.publisher.publishTaskState(toTaskState(record));
      return 'ended';
    }

    const running = this.#running.get(taskId);
    if (running) {
      running.controller.abort(new CopyError(ErrorCode.Cancelled, 'cancelled by the coordinator'));
      return 'cancelling';
    }
    this.#queues.remove(record.command.serialNumber, taskId);
    await this.#end(taskId, {
      failure: new CopyError(ErrorCode.Cancelled, 'cancelled while queued'),
    });
    return 'cancelled';
  }

  deviceOnline(serialNumber: string): void {
    this.#queues.setOnline(serialNumber, true);
    this.#pump();
  }

  deviceOffline(serialNumber: string): void {
    this.#queues.setOnline(serialNumber, false);
    const taskId = this.#queues.running(serialNumber);
    const active = taskId ? this.#running.get(taskId) : undefined;
    const reason = new CopyError(ErrorCode.DeviceRemoved, 'device removed during the copy');
    if (active && !active.awaitingDevice) active.controller.abort(reason);
  }

  /** Stops starting tasks and interrupts running copies, leaving them to resume next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    for (const { controller } of running) controller.abort(new Interrupted('agent stopping'));
    await Promise.all(running.map(({ done }) => done));
  }

  #pump(): void {
    if (this.#stopping) return;
    for (const { serialNumber, taskId } of this.#queues.next()) {
      const active: Active = { controller: new AbortController() };
      this.#running.set(taskId, active);
      active.done = this.#run(taskId, active)
        .catch((error: unknown) => this.#logger(taskId).error({ err: error }, 'task crashed'))
        .finally(() => {
          this.#running.delete(taskId);
          this.#queues.finish(serialNumber, taskId);
          this.#pump();
        });
    }
  }

  async #run(taskId: string, active: Active): Promise<void> {
    const { journal, publisher } = this.#options;
    let record = journal.get(taskId);
    if (!record || isTerminal(record)) return;
    const { serialNumber } = record.command;
    const log = this.#logger(taskId);
    const device = this.#options.locate(serialNumber);
    if (!device) {
      this.#queues.setOnline(serialNumber, false);
      return this.#queues.enqueue(serialNumber, taskId, { front: true });
    }

    if (record.state !== 'running') {
      record = journal.transition(taskId, 'running');
      await journal.flush();
      publisher.publishTaskState(toTaskState(record));
    }
    log.info({ mountPath: device.mountPath, fsType: device.fsType }, 'copy started');

    let result: CopyMeetingResult;
    try {
      result = await this.#copy(record, device, active.controller.signal);
    } catch (error) {
      return this.#handleFailure(record, active, error);
    }
    await this.#end(taskId, { result });
  }

  async #handleFailure(record: TaskRecord, active: Active, error: unknown): Promise<void> {
    const { serialNumber, taskId } = record.command;
    const log = this.#logger(taskId);
    let failure = error;
    if (isDeviceRemoved(failure) && this.#options.awaitDeviceReturn && !this.#stopping) {
      active.controller = new AbortController();
      active.awaitingDevice = true;
      log.warn({ errorDetail: detailOf(failure) }, 'device went away, waiting for it to return');
      try {
        if (await this.#options.awaitDeviceReturn(serialNumber, active.controller.signal)) {
          this.#queues.enqueue(serialNumber, taskId, { front: true });
          return void log.warn('device came back, copy queued again');
        }
      } catch {
        failure = active.controller.signal.reason ?? failure;
      } finally {
        active.awaitingDevice = false;
      }
    }

    if (failure instanceof Interrupted) return void log.info('copy interrupted, will resume');
    await this.#end(taskId, { failure });
  }

  #copy(
    record: TaskRecord,
    device: MountedDevice,
    signal: AbortSignal,
  ): Promise<CopyMeetingResult> {
    const { journal, publisher } = this.#options;
    const { taskId } = record.command;
    const log = this.#logger(taskId);
    return runCopy({
      command: record.command,
      mountPath: device.mountPath,
      fsType: device.fsType,
      endpoint: this.#options.endpoint,
      verified: journal.verifiedFiles(taskId),
      progressIntervalMs: this.#options.progressIntervalMs,
      bwlimit: this.#options.bwlimit,
      signal,
      onVerified: (file) => journal.addVerified(taskId, file),
      onProgress: (progress) => publisher.publishProgress(progress),
      onPlan: (plan) => log.info(plan, 'copy planned'),
      onStaleParts: (files) => log.warn({ files }, 'removed temporary files of an earlier copy'),
      onOneByOne: (files, reason) =>
        log.info({ files: files.length, first: files[0], reason }, 'bundle fell short, copying its files one by one'),
      copy: this.#options.copy,
    });
  }

  async #end(taskId: string, outcome: TaskOutcome): Promise<void> {
    const record = await endTask(this.#options.journal, this.#options.publisher, taskId, outcome);
    const { state, packageSize, fileCount, skippedFiles, errorCode, errorDetail } = record;
    const log = this.#logger(taskId);
    if (state === 'completed') log.info({ packageSize, fileCount, skippedFiles }, 'copy completed');
    else log.warn({ errorCode, errorDetail }, 'copy failed');
    this.emit('ended', record);
  }

  #logger(taskId: string): Logger {
    const command = this.#options.journal.get(taskId)?.command;
    return this.#options.logger.child(taskLogFields(taskId, command));
  }
}

function detailOf(error: unknown): string | undefined {
  return error instanceof CopyError ? error.detail : undefined;
}

function isDeviceRemoved(error: unknown): boolean {
  return error instanceof CopyError && error.code === ErrorCode.DeviceRemoved;
}
