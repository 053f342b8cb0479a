import { getMaxListeners, setMaxListeners } from 'node:events';
import path from 'node:path';
import { ErrorCode } from '../../shared/error-codes.js';
import { COMPLETION_RECORD, type Manifest, type ManifestFile } from '../../shared/manifest.js';
import type { RenamedFile } from '../../shared/messages.js';
import { resolveInside } from '../../shared/safe-path.js';
import { readSpace } from '../devices/space.js';
import { writeCompletionRecord, removeCompletionRecord } from './completion-record.js';
import { copyThroughBundle, groupIntoUnits } from './copy-bundle.js';
import { abortError, CopyError } from './copy-error.js';
import type { CoordinatorEndpoint } from './coordinator-http.js';
import { resumableDownload } from './download-file.js';
import { planDeviceNames } from './device-names.js';
import { DirectoryMaker } from './ensure-dir.js';
import { fsyncDirectory } from './fs-sync.js';
import { fetchManifest } from './fetch-manifest.js';
import { forEachFile } from './for-each-file.js';
import { identifyMount, toCopyError, type MountIdentity } from './os-errors.js';
import { planCopy, type CopyPlan, type DeviceFile, type VerifiedFile } from './plan.js';
import type { RateLimiter } from './rate-limiter.js';
import { withRetries } from './retry.js';
import { removeStaleParts } from './stale-parts.js';
import { writeFileAtomically, type WriteFileOptions, type WrittenFile } from './write-file.js';

export interface CopyMeetingRequest {
  endpoint: CoordinatorEndpoint;
  taskId: string;
  batchId: string;
  meetingId: string;
  mountPath: string;
  /** Files this task already verified on the device (from the journal). */
  verified?: readonly VerifiedFile[];
  /** Largest file the device's filesystem can hold (FAT32: 4 GiB - 1). */
  maxFileSize?: number;
  /** The device's filesystem type as mountinfo names it (`vfat`, `fuse.fusefat`, ...). */
  fsType?: string;
  limiter?: RateLimiter;
  blockSize?: number;
  retryDelayMs?: number;
  /** How long the coordinator may stay unreachable before the copy fails with 1009. */
  patienceMs?: number;
  /** Small files copied at once (default 16); large files are always copied one at a time. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once the plan is known, before the first byte is written; names the skipped files. */
  onPlan?: (plan: CopyPlan, manifest: Manifest) => void;
  /** Called with the temporary files of an earlier, interrupted copy that were removed. */
  onStaleParts?: (files: string[]) => void;
  onFileStart?: (file: ManifestFile) => void;
  onBytes?: (bytes: number) => void;
  /** Called after each copied file is in place and verified. */
  onFileDone?: (file: VerifiedFile) => void;
  /** Called with the files of a bundle that did not bring them, before they are copied singly. */
  onOneByOne?: (files: string[], reason: string | undefined) => void;
}

/** Small files copied at once: each costs round trips and fsyncs more than bandwidth. */
const DEFAULT_CONCURRENCY = 16;

/** A coordinator restart or a dropped link shorter than this does not fail a copy. */
export const DEFAULT_PATIENCE_MS = 300_000;

export interface CopyMeetingResult {
  packageSize: number;
  fileCount: number;
  skippedFiles: number;
  /** Files stored under another name because the device's filesystem cannot hold theirs. */
  renamedFiles?: RenamedFile[];
}

/**
 * Copies one meeting onto a mounted device: manifest, plan, space check, each missing file
 * through a verified temporary file, then the completion record. Fails with a CopyError.
 */
export async function copyMeeting(request: CopyMeetingRequest): Promise<CopyMeetingResult> {
  const { signal } = request;
  // Every lane's request and write listens to the signal: more than Node's warning level of 10.
  const lanes = request.concurrency ?? DEFAULT_CONCURRENCY;
  if (signal) setMaxListeners(Math.max(getMaxListeners(signal), 4 * lanes + 10), signal);
  const mount = await identifyMount(request.mountPath, request.fsType);
  const manifest = await fetchManifest(request.endpoint, request.meetingId, {
    signal,
    baseDelayMs: request.retryDelayMs,
    patienceMs: request.patienceMs ?? DEFAULT_PATIENCE_MS,
  });
  const meetingDir = checkManifest(manifest, request);

  try {
    return await copyFiles(manifest, meetingDir, mount, request);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    const failure = await toCopyError(error, mount);
    // The watcher may have seen the device go while the error was being read.
    if (signal?.aborted) throw abortError(signal);
    throw failure;
  }
}

async function copyFiles(
  manifest: Manifest,
  meetingDir: string,
  mount: MountIdentity,
  request: CopyMeetingRequest,
): Promise<CopyMeetingResult> {
  const { signal } = request;
  const names = planDeviceNames(manifest.files.map((file) => file.path), request.fsType);
  const files = manifest.files.map((file): DeviceFile => {
    const devicePath = names.devicePaths.get(file.path)!;
    return devicePath === file.path ? file : { ...file, devicePath };
  });
  const plan = await planCopy(files, meetingDir, request.verified, signal);
  const space = await readSpace(mount.mountPath);
  if (space && plan.bytesToCopy > space.freeBytes) {
    const detail = `needs ${plan.bytesToCopy} bytes, ${space.freeBytes} free`;
    throw new CopyError(ErrorCode.DeviceFull, detail);
  }
  request.onPlan?.(plan, manifest);

  const directories = new DirectoryMaker(mount, meetingDir);
  await directories.ensure(meetingDir);
  const stale = await removeStaleParts(meetingDir);
  if (stale.length > 0) request.onStaleParts?.(stale);
  if (plan.copy.length > 0) await removeCompletionRecord(meetingDir);
  const written = new Set<string>();
  const copied = (file: DeviceFile, done: WrittenFile) => {
    written.add(path.dirname(resolveInside(meetingDir, file.devicePath ?? file.path)));
    const { path: libraryPath, devicePath } = file;
    request.onFileDone?.({ path: libraryPath, ...(devicePath && { devicePath }), ...done });
  };
  const copyFrom = async (file: DeviceFile, source: AsyncIterable<Buffer>) => {
    request.onFileStart?.(file);
    const destination = await prepareDestination(file, meetingDir, directories);
    copied(file, await writeFileAtomically(source, destination, file, writeOptions(request)));
  };
  const units = groupIntoUnits(plan.copy);
  await forEachFile(units, request.concurrency ?? DEFAULT_CONCURRENCY, async ({ files }) => {
    signal?.throwIfAborted();
    let rest = files;
    if (files.length > 1) {
      const leftovers = await copyThroughBundle(files, request, copyFrom);
      rest = leftovers.rest;
      if (rest.length > 0) request.onOneByOne?.(rest.map((file) => file.path), leftovers.reason);
    }
    for (const file of rest) {
      signal?.throwIfAborted();
      request.onFileStart?.(file);
      copied(file, await copyOneFile(file, meetingDir, directories, request));
    }
  });
  // Each directory's new entries are flushed once, after all its renames, before the record.
  for (const dir of written) await fsyncDirectory(dir);

  const packageSize = manifest.files.reduce((sum, file) => sum + file.size, 0);
  await writeCompletionRecord(meetingDir, {
    meetingId: request.meetingId,
    taskId: request.taskId,
    batchId: request.batchId,
    completedAt: new Date().toISOString(),
    packageSize,
    fileCount: manifest.files.length,
    files: files.map(({ path, devicePath, size, sha256 }) => ({
      path,
      ...(devicePath && { devicePath }),
      size,
      sha256,
    })),
  });
  return {
    packageSize,
    fileCount: manifest.files.length,
    skippedFiles: plan.skip.length,
    ...(names.renamed.length > 0 && { renamedFiles: names.renamed }),
  };
}

async function copyOneFile(
  file: DeviceFile,
  meetingDir: string,
  directories: DirectoryMaker,
  request: CopyMeetingRequest,
) {
  const destination = await prepareDestination(file, meetingDir, directories);
  return withRetries(
    async () => {
      const source = resumableDownload(request.endpoint, request.meetingId, file.path, {
        signal: request.signal,
        patienceMs: request.patienceMs ?? DEFAULT_PATIENCE_MS,
        retryDelayMs: request.retryDelayMs,
      });
      return writeFileAtomically(source, destination, file, writeOptions(request));
    },
    { attempts: 3, baseDelayMs: request.retryDelayMs ?? 500, signal: request.signal },
  );
}

/** The file's place on the device, with its directory made. */
async function prepareDestination(
  file: DeviceFile,
  meetingDir: string,
  directories: DirectoryMaker,
): Promise<string> {
  const destination = resolveInside(meetingDir, file.devicePath ?? file.path);
  await directories.ensure(path.dirname(destination));
  return destination;
}

function writeOptions(request: CopyMeetingRequest): WriteFileOptions {
  const { signal, onBytes, limiter, blockSize } = request;
  // Each directory is flushed once after all its files (see copyFiles).
  return { signal, onBytes, limiter, blockSize, syncDirectory: false };
}

/** Refuses a manifest that could write outside the meeting folder or over the agent's own files. */
function checkManifest(manifest: Manifest, request: CopyMeetingRequest): string {
  const meetingDir = resolveInside(request.mountPath, `meetings/${request.meetingId}`);
  const seen = new Set<string>();
  for (const file of manifest.files) {
    const reason = unsafeReason(file, meetingDir, seen);
    if (reason) {
      throw new CopyError(ErrorCode.InvalidManifest, `${JSON.stringify(file.path)}: ${reason}`);
    }
    if (request.maxFileSize !== undefined && file.size > request.maxFileSize) {
      throw new CopyError(ErrorCode.FileTooLarge, tooLarge(file, request));
    }
    seen.add(file.path);
  }
  return meetingDir;
}

function tooLarge(file: ManifestFile, request: CopyMeetingRequest): string {
  const limit = request.maxFileSize!;
  const named = limit === 2 ** 32 - 1 ? `${limit} bytes (4 GiB - 1)` : `${limit} bytes`;
  const fs = request.fsType ? `a ${request.fsType} filesystem` : "the device's filesystem";
  return `${file.path} is ${file.size} bytes; ${fs} holds at most ${named} per file`;
}

function unsafeReason(file: ManifestFile, meetingDir: string, seen: Set<string>): string | null {
  try {
    resolveInside(meetingDir, file.path);
  } catch (error) {
    return error instanceof Error ? error.message : 'unsafe path';
  }
  if (seen.has(file.path)) return 'listed twice';
  // Lower case: FAT and exFAT would take `.WST-SYNC.JSON` for the completion record.
  const name = file.path.toLowerCase();
  if (name === COMPLETION_RECORD || name.endsWith('.wst-part')) return 'reserved name';
  return null;
}
