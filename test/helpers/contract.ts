/**
 * The batch API's response shapes as `contract/batch-sync-api.zh.md` gives them. The test client
 * parses every 200 body with these, so each e2e test also checks the contract's field names,
 * types and timestamp formats (Unix seconds in create/status, ISO-8601 in tasks/list). Subtasks
 * and list items keep fields beyond the contract, so tests see the whole body.
 */
import { z } from 'zod';

const unixSeconds = z.number().int().nonnegative();
const isoSeconds = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
const count = z.number().int().nonnegative();

export const BatchStatus = z.enum([
  'pending',
  'running',
  'completed',
  'partial_failed',
  'failed',
  'cancelled',
]);
export const SubtaskStatus = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']);

export const CreatedBatch = z.object({
  batchId: z.string(),
  totalCount: count,
  status: BatchStatus,
  createdAt: unixSeconds,
});

export const BatchStatusData = z.object({
  batchId: z.string(),
  status: BatchStatus,
  totalCount: count,
  createdCount: count,
  statusCounts: z.object({
    pending: count,
    running: count,
    completed: count,
    failed: count,
    /** Beyond the contract: operator cancellation. */
    cancelled: count.optional(),
  }),
  createdAt: unixSeconds,
  updatedAt: unixSeconds,
  duration: z.number().nonnegative(),
});

export const Subtask = z.looseObject({
  taskId: z.string().optional(),
  meetingId: z.string(),
  serialNumber: z.string(),
  status: SubtaskStatus,
  createdAt: isoSeconds.optional(),
  completedAt: isoSeconds.optional(),
  packageSize: count.optional(),
  fileCount: count.optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().optional(),
  /** Beyond the contract: the running subtask's progress, for a table's progress bars. */
  percent: z.number().min(0).max(100).optional(),
});

export const BatchTasks = z.object({ batchId: z.string(), tasks: z.array(Subtask) });

export const BatchSummary = z.looseObject({
  batchId: z.string(),
  status: BatchStatus,
  totalCount: count,
  createdAt: isoSeconds,
  /** Beyond the contract's example: counts so a list can show "x/n done". */
  createdCount: count.optional(),
  statusCounts: z
    .object({ pending: count, running: count, completed: count, failed: count })
    .optional(),
});

export const BatchList = z.object({ tasks: z.array(BatchSummary), total: count });

/** Every response: `{code: 200, data}` on success, `{code, message}` on failure. */
export const Envelope = z.object({ code: z.number().int(), data: z.unknown().optional() });

export type BatchStatus = z.infer<typeof BatchStatus>;
export type SubtaskStatus = z.infer<typeof SubtaskStatus>;
export type CreatedBatch = z.infer<typeof CreatedBatch>;
export type BatchStatusData = z.infer<typeof BatchStatusData>;
export type Subtask = z.infer<typeof Subtask>;
export type BatchTasks = z.infer<typeof BatchTasks>;
export type BatchSummary = z.infer<typeof BatchSummary>;
export type BatchList = z.infer<typeof BatchList>;

export interface CreateBatchBody {
  meetingIds: string[];
  serialNumbers: string[];
  metadata?: Record<string, unknown>;
  /** Beyond the contract: offline devices and pacing. */
  options?: { offline?: 'fail' | 'wait'; waitSeconds?: number; maxConcurrent?: number };
}
