import { z } from 'zod';
import { ID_PATTERN, newBatchId } from '../../shared/ids.js';
import type { BatchRecord } from './model.js';

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
    .refine((m) => m === undefined || JSON.stringify(m).length <= 16_384, {
      message: 'metadata must be at most 16 KiB of JSON',
    }),
});

export type CreateBatchBody = z.infer<typeof CreateBatchBody>;

/** A new batch record; repeated ids are merged, first occurrence kept. */
export function newBatchRecord(body: CreateBatchBody, now: number): BatchRecord {
  const meetingIds = [...new Set(body.meetingIds)];
  const serialNumbers = [...new Set(body.serialNumbers)];
  return {
    batchId: newBatchId(new Date(now)),
    meetingIds,
    serialNumbers,
    metadata: body.metadata ?? {},
    totalCount: meetingIds.length * serialNumbers.length,
    createdAt: now,
    updatedAt: now,
    subtasks: [],
  };
}
