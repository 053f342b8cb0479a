import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN } from '../../shared/ids.js';
import type { BatchRecord } from './model.js';

const DEFAULT_WAIT_SECONDS = 300;

const idList = (what: string, max: number) =>
  z
    .array(z.string().regex(ID_PATTERN, `each ${what} must match ${ID_PATTERN.source}`))
    .min(1, `${what}s must not be empty`)
    .max(max, `at most ${max} ${what}s`);

export const CreateBatchBody = z.object({
  meetingIds: idList('meetingId', 10_000),
  serialNumbers: idList('serialNumber', 10_000),
  metadata: z
    .record(z.string(), z.unknown())
    .optional()
    .refine((m) => m === undefined || jsonBytes(m) <= 16_384, {
      message: 'metadata must be at most 16 KiB of JSON, nested at most 32 levels',
    }),
  options: z
    .object({
      offline: z.enum(['fail', 'wait']).default('fail'),
      waitSeconds: z.number().int().min(1).max(86_400).optional(),
      maxConcurrent: z.number().int().min(1).max(10_000).optional(),
    })
    .strict()
    .optional(),
});

export type CreateBatchBody = z.infer<typeof CreateBatchBody>;

/** UTF-8 size of a value as JSON; too deep a value counts as too large. */
function jsonBytes(value: unknown): number {
  if (depthOf(value, 0) > 32) return Number.POSITIVE_INFINITY;
  return Buffer.byteLength(JSON.stringify(value));
}

function depthOf(value: unknown, depth: number): number {
  if (depth > 32 || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, depth + 1));
  return deepest;
}

/** A stable digest of a create request, to tell a repeated request from a different one. */
export function requestHash(body: CreateBatchBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** A new batch record; repeated ids are merged, first occurrence kept. */
export function newBatchRecord(body: CreateBatchBody, batchId: string, now: number): BatchRecord {
  const meetingIds = [...new Set(body.meetingIds)];
  const serialNumbers = [...new Set(body.serialNumbers)];
  return {
    batchId,
    meetingIds,
    serialNumbers,
    metadata: body.metadata ?? {},
    totalCount: meetingIds.length * serialNumbers.length,
    createdAt: now,
    updatedAt: now,
    subtasks: [],
    ...(body.options && {
      options: {
        ...body.options,
        ...(body.options.offline === 'wait' && {
          waitSeconds: body.options.waitSeconds ?? DEFAULT_WAIT_SECONDS,
        }),
      },
    }),
  };
}
