import { Hono } from 'hono';
import { describeIssue } from '../../../shared/messages.js';
import { unixSeconds } from '../../../shared/time.js';
import { CreateBatchBody, newBatchRecord, requestHash } from '../../batches/create-batch.js';
import type { Batch } from '../../batches/batch-book.js';
import { listItemView, statusView, taskView } from '../../batches/views.js';
import { ApiError, notFound } from '../api-error.js';
import { ok } from '../envelope.js';
import type { Services } from '../services.js';
import { pageOf } from './paging.js';

export function batchRoutes(s: Services): Hono {
  const app = new Hono();
  /** Creates under way by Idempotency-Key: a concurrent repeat waits for the first one. */
  const creating = new Map<string, { hash: string; batch: Promise<Batch> }>();

  app.post('/', async (c) => {
    const raw: unknown = await c.req.json().catch(() => {
      throw new ApiError(400, 'body must be a JSON object');
    });
    const parsed = CreateBatchBody.safeParse(raw);
    if (!parsed.success) throw new ApiError(400, describeIssue(parsed.error));

    const key = c.req.header('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 128)) {
      throw new ApiError(400, 'Idempotency-Key must be 1 to 128 characters');
    }
    const hash = requestHash(parsed.data);
    const earlier = key === undefined ? undefined : (s.book.byIdempotencyKey(key) ?? creating.get(key));
    if (earlier) {
      const earlierHash = 'record' in earlier ? earlier.record.requestHash : earlier.hash;
      if (earlierHash !== hash) {
        throw new ApiError(409, `Idempotency-Key ${key} was used for a different request`);
      }
      return ok(c, createdView(s, 'record' in earlier ? earlier : await earlier.batch));
    }

    const now = Date.now();
    const record = newBatchRecord(parsed.data, s.book.unusedBatchId(new Date(now)), now);
    if (key !== undefined) Object.assign(record, { idempotencyKey: key, requestHash: hash });
    if (record.totalCount > s.limits.maxBatchSize) {
      throw new ApiError(
        413,
        `batch of ${record.totalCount} subtasks (meetings × devices) exceeds the limit of ` +
          `${s.limits.maxBatchSize} (WST_MAX_BATCH_SIZE)`,
      );
    }

    // The key is taken before the first await, so a concurrent repeat cannot create a twin.
    const accepted = s.store.save(record).then(() => s.book.add(record));
    if (key !== undefined) {
      creating.set(key, { hash, batch: accepted });
      void accepted.finally(() => creating.delete(key)).catch(() => undefined);
    }
    s.creator.enqueue(await accepted);
    s.log.info(
      {
        batchId: record.batchId,
        totalCount: record.totalCount,
        meetingIds: record.meetingIds.length,
        serialNumbers: record.serialNumbers.length,
      },
      'batch accepted',
    );
    return ok(c, { ...createdView(s, s.book.get(record.batchId)!), status: 'pending' as const });
  });

  app.get('/', (c) => {
    const batches = s.book.newestFirst();
    const page = pageOf(batches, c.req.query('page'), c.req.query('pageSize'));
    const now = Date.now();
    return ok(c, {
      tasks: page.items.map((batch) => listItemView(s.book, batch, now)),
      total: batches.length,
      page: page.page,
      pageSize: page.pageSize,
    });
  });

  app.get('/:batchId/status', (c) => {
    const batch = s.book.get(c.req.param('batchId'));
    if (!batch) throw notFound(`batch ${c.req.param('batchId')}`);
    return ok(c, statusView(s.book, batch, Date.now()));
  });

  app.get('/:batchId/tasks', (c) => {
    const batch = s.book.get(c.req.param('batchId'));
    if (!batch) throw notFound(`batch ${c.req.param('batchId')}`);
    return ok(c, {
      batchId: batch.record.batchId,
      tasks: batch.record.subtasks.map((subtask) =>
        taskView(subtask, subtask.taskId ? s.events.latest(subtask.taskId) : undefined),
      ),
    });
  });

  return app;
}

function createdView(s: Services, batch: Batch) {
  return {
    batchId: batch.record.batchId,
    totalCount: batch.record.totalCount,
    status: s.book.status(batch),
    createdAt: unixSeconds(batch.record.createdAt),
  };
}
