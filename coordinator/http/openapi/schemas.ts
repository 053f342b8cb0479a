/**
 * Response shapes of the HTTP API as zod schemas, mirroring `coordinator/batches/views.ts` and the
 * route handlers. They exist for the OpenAPI document; request bodies come from the schemas that
 * validate them.
 */
import { z } from 'zod';
import { Manifest } from '../../../shared/manifest.js';

const unixSeconds = z.number().int().nonnegative();
const isoSeconds = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
const count = z.number().int().nonnegative();

export const BatchStatus = z.enum(['pending', 'running', 'completed', 'partial_failed', 'failed', 'cancelled']);
export const SubtaskStatus = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']);

/** `{"code": 200, "data": ...}` */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ code: z.literal(200), data });

export const ErrorBody = z.object({ code: z.number().int(), message: z.string() });

export const CreatedBatch = z.object({
  batchId: z.string(),
  totalCount: count,
  status: BatchStatus,
  createdAt: unixSeconds,
});

const StatusCounts = z.object({
  pending: count,
  running: count,
  completed: count,
  failed: count,
  cancelled: count,
});

export const BatchStatusView = z.object({
  batchId: z.string(),
  status: BatchStatus,
  totalCount: count,
  createdCount: count,
  statusCounts: StatusCounts,
  createdAt: unixSeconds,
  updatedAt: unixSeconds,
  duration: z.number().nonnegative(),
});

export const BatchListItem = BatchStatusView.extend({ createdAt: isoSeconds, updatedAt: isoSeconds });

export const BatchList = z.object({
  tasks: z.array(BatchListItem),
  total: count,
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
});

const Attempt = z.object({
  attempt: z.number().int().min(1),
  taskId: z.string().optional(),
  status: SubtaskStatus,
  errorCode: z.number().int().optional(),
  errorMessage: z.string().optional(),
  errorDetail: z.string().optional(),
  endedAt: isoSeconds.optional(),
});

export const TaskView = z.object({
  taskId: z.string().optional(),
  meetingId: z.string(),
  serialNumber: z.string(),
  status: SubtaskStatus,
  createdAt: isoSeconds.optional(),
  completedAt: isoSeconds.optional(),
  packageSize: count.optional(),
  fileCount: count.optional(),
  percent: z.number().min(0).max(100).optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().optional(),
  errorDetail: z.string().optional(),
  waitUntil: isoSeconds.optional(),
  attempt: z.number().int().min(2).optional(),
  history: z.array(Attempt).optional(),
  renamedFiles: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
});

export const BatchTasks = z.object({ batchId: z.string(), tasks: z.array(TaskView) });

export const RetryResult = z.object({
  batchId: z.string(),
  retried: z.array(
    z.object({
      meetingId: z.string(),
      serialNumber: z.string(),
      taskId: z.string().optional(),
      attempt: z.number().int().min(1),
      status: SubtaskStatus,
    }),
  ),
});

/** The `data` of one SSE event (`progress`, `completed` or `failed`). */
export const ProgressEvent = z.object({
  taskId: z.string(),
  batchId: z.string(),
  meetingId: z.string(),
  serialNumber: z.string(),
  status: SubtaskStatus,
  percent: z.number().min(0).max(100),
  copiedBytes: count,
  totalBytes: count,
  speed: z.number().nonnegative(),
  eta: z.number().nonnegative().nullable(),
  currentFile: z.string().nullable(),
  filesDone: count,
  fileCount: count,
  /** The agent's clock (epoch ms) when it measured this progress. */
  at: z.number().int().optional(),
  completedAt: isoSeconds.optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().optional(),
  errorDetail: z.string().optional(),
});

export const DeviceList = z.object({
  devices: z.array(
    z.object({
      serialNumber: z.string(),
      agentId: z.string(),
      online: z.boolean(),
      mountPath: z.string().optional(),
      freeBytes: count.optional(),
      totalBytes: count.optional(),
      fsType: z.string().optional(),
      updatedAt: isoSeconds,
    }),
  ),
  total: count,
});

export const MeetingList = z.object({
  meetings: z.array(z.object({ meetingId: z.string(), fileCount: count, totalBytes: count })),
  total: count,
});

export { Manifest };

export const Health = z.object({ status: z.literal('ok') });

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });

export const Readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.object({ mqtt: Check, store: Check }),
});
