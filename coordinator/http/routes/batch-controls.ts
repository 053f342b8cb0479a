import { Hono } from 'hono';
import { z } from 'zod';
import { ID_PATTERN } from '../../../shared/ids.js';
import { describeIssue } from '../../../shared/messages.js';
import type { Batch } from '../../batches/batch-book.js';
import type { SubtaskRecord } from '../../batches/model.js';
import { statusView, taskView } from '../../batches/views.js';
import { ApiError, notFound } from '../api-error.js';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';

export const RetryBody = z.object({
  tasks: z
    .array(z.object({ meetingId: z.string().regex(ID_PATTERN), serialNumber: z.string().regex(ID_PATTERN) }))
    .min(1)
    .max(10_000),
});

/** Operator controls on a batch: retry failed subtasks, cancel the batch. */
export function batchControlRoutes(s: Services): Hono {
  const app = new Hono();

  app.post('/:batchId/retry', async (c) => {
    const batch = batchOf(s, c.req.param('batchId'));
    if (batch.record.cancelledAt !== undefined) {
      throw new ApiError(409, `batch ${batch.record.batchId} was cancelled; create a new batch`);
    }
    const text = await c.req.text();
    const subtasks = text.trim() === '' ? allFailed(batch) : listed(batch, parseRetryBody(text));

    s.lifecycle.retry(batch, subtasks);
    s.log.info(
      { batchId: batch.record.batchId, count: subtasks.length },
      'operator retried failed subtasks',
    );
    return ok(c, {
      batchId: batch.record.batchId,
      retried: subtasks.map((subtask) => ({
        meetingId: subtask.meetingId,
        serialNumber: subtask.serialNumber,
        ...(subtask.taskId && { taskId: subtask.taskId }),
        attempt: subtask.attempt ?? 1,
        status: subtask.status,
      })),
    });
  });

  app.post('/:batchId/cancel', (c) => {
    const batch = batchOf(s, c.req.param('batchId'));
    const status = s.book.status(batch);
    if (status !== 'pending' && status !== 'running') {
      throw new ApiError(409, `batch ${batch.record.batchId} has already ended (${status})`);
    }
    s.lifecycle.cancelBatch(batch);
    s.log.info({ batchId: batch.record.batchId }, 'operator cancelled batch');
    return ok(c, statusView(s.book, batch, Date.now()));
  });

  return app;
}

/** `POST /api/v1/mount/sync/tasks/:taskId/cancel` */
export function taskControlRoutes(s: Services): Hono {
  const app = new Hono();

  app.post('/:taskId/cancel', (c) => {
    const ref = s.book.task(c.req.param('taskId'));
    if (!ref) throw notFound(`task ${c.req.param('taskId')}`);
    const { status } = ref.subtask;
    if (status !== 'pending' && status !== 'running') {
      throw new ApiError(409, `task ${ref.subtask.taskId} has already ended (${status})`);
    }
    s.lifecycle.cancelTask(ref);
    s.log.info(
      { batchId: ref.batch.record.batchId, taskId: ref.subtask.taskId },
      'operator cancelled task',
    );
    return ok(c, taskView(ref.subtask, s.events.latest(ref.subtask.taskId!)));
  });

  return app;
}

function batchOf(s: Services, batchId: string): Batch {
  const batch = s.book.get(batchId);
  if (!batch) throw notFound(`batch ${batchId}`);
  return batch;
}

function parseRetryBody(text: string): z.infer<typeof RetryBody> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'body must be a JSON object');
  }
  const parsed = RetryBody.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, describeIssue(parsed.error));
  return parsed.data;
}

function allFailed(batch: Batch): SubtaskRecord[] {
  const failed = batch.record.subtasks.filter((subtask) => subtask.status === 'failed');
  if (failed.length === 0) {
    throw new ApiError(409, `batch ${batch.record.batchId} has no failed subtasks`);
  }
  return failed;
}

/** The listed subtasks; every one must exist and have failed, or nothing is retried. */
function listed(batch: Batch, body: z.infer<typeof RetryBody>): SubtaskRecord[] {
  const byPair = new Map(batch.record.subtasks.map((t) => [`${t.meetingId}\n${t.serialNumber}`, t]));
  const chosen = new Set<SubtaskRecord>();
  for (const { meetingId, serialNumber } of body.tasks) {
    const subtask = byPair.get(`${meetingId}\n${serialNumber}`);
    if (!subtask) {
      throw new ApiError(404, `no subtask for meeting ${meetingId} on device ${serialNumber}`);
    }
    if (subtask.status !== 'failed') {
      throw new ApiError(
        409,
        `subtask for meeting ${meetingId} on device ${serialNumber} is ${subtask.status}; ` +
          'only failed subtasks can be retried',
      );
    }
    chosen.add(subtask);
  }
  return [...chosen];
}
