import type { SyncCommand, TaskProgress } from '../../shared/messages.js';
import type { CoordinatorEndpoint } from '../copy/coordinator-http.js';
import { copyMeeting, type CopyMeetingResult } from '../copy/copy-meeting.js';
import type { VerifiedFile } from '../copy/plan.js';
import { createRateLimiter } from '../copy/rate-limiter.js';
import { DEFAULT_BLOCK_SIZE } from '../copy/write-file.js';
import { maxFileSizeFor } from '../devices/fs-type.js';
import { ProgressMeter } from './progress-meter.js';

export interface RunCopyOptions {
  command: SyncCommand;
  mountPath: string;
  fsType?: string;
  endpoint: CoordinatorEndpoint;
  /** Files the journal says this task already verified on the device. */
  verified: readonly VerifiedFile[];
  progressIntervalMs: number;
  /** Bytes per second; 0 = unlimited. */
  bwlimit: number;
  signal: AbortSignal;
  onVerified: (file: VerifiedFile) => void;
  onProgress: (progress: TaskProgress) => void;
  /** What the copy is about to do: files to copy and files already on the device. */
  onPlan?: (plan: { copyFiles: number; skippedFiles: number; bytesToCopy: number }) => void;
  onStaleParts?: (files: string[]) => void;
  /** Files a bundle did not bring, now copied one by one, and why. */
  onOneByOne?: (files: string[], reason: string | undefined) => void;
  copy?: typeof copyMeeting;
}

/**
 * Runs the copy of one task and turns its callbacks into rate-limited progress updates and
 * journal entries for verified files. Ends with a 100% update once the package is complete.
 */
export async function runCopy(options: RunCopyOptions): Promise<CopyMeetingResult> {
  const { command, bwlimit, signal } = options;
  let meter: ProgressMeter | undefined;
  let trailing: NodeJS.Timeout | undefined;
  const publish = (force: boolean) => {
    if (!meter || (!force && !meter.due())) return;
    clearTimeout(trailing);
    trailing = undefined;
    const snapshot = meter.take();
    options.onProgress({
      taskId: command.taskId,
      serialNumber: command.serialNumber,
      ...snapshot,
      at: Date.now(),
    });
  };
  // A finished file is told at the latest one interval later, even when no byte follows it (the
  // next file may be stalled), without one message per file for thousands of small ones.
  const publishSoon = () => {
    if (meter?.due()) return publish(true);
    trailing ??= setTimeout(() => publish(true), options.progressIntervalMs);
  };

  const result = await (options.copy ?? copyMeeting)({
    endpoint: options.endpoint,
    taskId: command.taskId,
    batchId: command.batchId,
    meetingId: command.meetingId,
    mountPath: options.mountPath,
    verified: options.verified,
    maxFileSize: maxFileSizeFor(options.fsType),
    fsType: options.fsType,
    limiter: createRateLimiter(bwlimit),
    // Smaller blocks under a bandwidth limit keep progress updates smooth.
    blockSize:
      bwlimit > 0 ? clamp(Math.floor(bwlimit / 5), 16 * 1024, DEFAULT_BLOCK_SIZE) : undefined,
    signal,
    onStaleParts: options.onStaleParts,
    onOneByOne: options.onOneByOne,
    onPlan: (plan, manifest) => {
      options.onPlan?.({
        copyFiles: plan.copy.length,
        skippedFiles: plan.skip.length,
        bytesToCopy: plan.bytesToCopy,
      });
      const totalBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
      meter = new ProgressMeter({
        totalBytes,
        fileCount: manifest.files.length,
        intervalMs: options.progressIntervalMs,
      });
      for (const file of plan.skip) {
        options.onVerified(file);
        meter.skip(file.size);
        meter.fileDone();
      }
      publish(true);
    },
    onFileStart: (file) => meter?.startFile(file.path),
    onBytes: (bytes) => {
      meter?.add(bytes);
      publish(false);
    },
    onFileDone: (file) => {
      options.onVerified(file);
      meter?.fileDone();
      publishSoon();
    },
  }).finally(() => clearTimeout(trailing));

  meter?.complete();
  publish(true);
  return result;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
