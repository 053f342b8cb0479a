/**
 * Messages that cross the MQTT boundary. Both sides import these schemas and the inferred
 * types; every payload is validated on receipt with `parseMessage`.
 */
import { z } from 'zod';
import { ID_PATTERN } from './ids.js';

const id = z.string().regex(ID_PATTERN);
const bytes = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();

export const SyncCommand = z.object({
  type: z.literal('sync'),
  taskId: id,
  batchId: id,
  meetingId: id,
  serialNumber: id,
  issuedAt: epochMs,
});

export const CancelCommand = z.object({
  type: z.literal('cancel'),
  taskId: id,
});

/** Asks the agent to publish its status, devices and the latest state of every task it knows. */
export const ReportStateCommand = z.object({
  type: z.literal('report-state'),
});

export const Command = z.discriminatedUnion('type', [SyncCommand, CancelCommand, ReportStateCommand]);

export const AgentStatus = z.object({
  agentId: id,
  online: z.boolean(),
  version: z.string().max(64).optional(),
  devices: z.array(id).default([]),
  at: epochMs,
  /** The agent's connection; a will names the connection it belongs to. */
  session: z.string().max(64).optional(),
});

export const DevicePresence = z.object({
  serialNumber: id,
  online: z.boolean(),
  mountPath: z.string().max(4096).optional(),
  freeBytes: bytes.optional(),
  totalBytes: bytes.optional(),
  fsType: z.string().max(64).optional(),
  at: epochMs,
});

export const RenamedFile = z.object({
  from: z.string().max(4096),
  to: z.string().max(4096),
});

export const TaskStateName = z.enum(['accepted', 'running', 'completed', 'failed']);

export const TaskState = z.object({
  taskId: id,
  batchId: id,
  meetingId: id,
  serialNumber: id,
  state: TaskStateName,
  /** Increases with every state change of one task, so stale or replayed messages are ignored. */
  seq: z.number().int().nonnegative(),
  at: epochMs,
  packageSize: bytes.optional(),
  fileCount: z.number().int().nonnegative().optional(),
  skippedFiles: z.number().int().nonnegative().optional(),
  /** Files stored under another name because the device's filesystem cannot hold theirs. */
  renamedFiles: z.array(RenamedFile).max(10_000).optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().max(512).optional(),
  errorDetail: z.string().max(2048).optional(),
});

export const TaskProgress = z.object({
  taskId: id,
  serialNumber: id,
  copiedBytes: bytes,
  totalBytes: bytes,
  percent: z.number().min(0).max(100),
  /** bytes per second, averaged over the last few seconds */
  speed: z.number().nonnegative(),
  /** seconds left, `null` while the speed is not yet known */
  eta: z.number().nonnegative().nullable(),
  currentFile: z.string().max(4096).nullable(),
  filesDone: z.number().int().nonnegative(),
  fileCount: z.number().int().nonnegative(),
  at: epochMs,
});

export type SyncCommand = z.infer<typeof SyncCommand>;
export type CancelCommand = z.infer<typeof CancelCommand>;
export type ReportStateCommand = z.infer<typeof ReportStateCommand>;
export type Command = z.infer<typeof Command>;
export type AgentStatus = z.infer<typeof AgentStatus>;
export type DevicePresence = z.infer<typeof DevicePresence>;
export type TaskStateName = z.infer<typeof TaskStateName>;
export type RenamedFile = z.infer<typeof RenamedFile>;
export type TaskState = z.infer<typeof TaskState>;
export type TaskProgress = z.infer<typeof TaskProgress>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses a JSON payload against a schema; the error names the first bad field. */
export function parseMessage<T>(schema: z.ZodType<T>, payload: Buffer | string): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString());
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }

  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: describeIssue(result.error) };
}

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where}: ${issue.message}`;
}
