import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { isTerminal } from '../../batches/model.js';
import { progressView } from '../../batches/views.js';
import { ApiError, notFound } from '../api-error.js';
import type { Services } from '../services.js';

/**
 * `GET /tasks/:taskId/progress/stream`: the current snapshot first, then live `progress` events,
 * then one final `completed` or `failed` event (also for a cancelled task), after which the
 * stream closes.
 */
export function progressStreamRoutes(s: Services): Hono {
  const app = new Hono();

  app.get('/:taskId/progress/stream', (c) => {
    const taskId = c.req.param('taskId');
    const ref = s.book.task(taskId);
    if (!ref) throw notFound(`task ${taskId}`);
    const serialNumber = c.req.query('serialNumber');
    if (serialNumber !== undefined && serialNumber !== ref.subtask.serialNumber) {
      throw new ApiError(404, `task ${taskId} is not for device ${serialNumber}`);
    }

    // Reverse proxies (nginx) would otherwise buffer the stream.
    c.header('X-Accel-Buffering', 'no');
    c.header('Cache-Control', 'no-cache, no-transform');

    return streamSSE(c, async (stream) => {
      const { batch, subtask } = ref;
      const batchId = batch.record.batchId;
      const writer = new SerialWriter(stream);
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));

      const sendCurrent = () => {
        const view = progressView(batchId, subtask, s.events.latest(taskId));
        if (isTerminal(subtask.status)) {
          // Clients know two final events; a cancelled task ends `failed` with code 1008.
          writer.event(subtask.status === 'completed' ? 'completed' : 'failed', view);
          finish();
        } else {
          writer.event('progress', view);
        }
      };

      const unsubscribe = s.events.subscribe(taskId, (event) => {
        if (event.type === 'state') return sendCurrent();
        if (!isTerminal(subtask.status)) {
          writer.event('progress', progressView(batchId, subtask, event.progress));
        }
      });
      const keepAlive = setInterval(() => writer.comment('keepalive'), s.limits.sseKeepAliveMs);
      stream.onAbort(finish);

      sendCurrent();
      await finished;
      clearInterval(keepAlive);
      unsubscribe();
      await writer.drained();
    });
  });

  return app;
}

/** Writes SSE frames one after another, in the order they were asked for. */
class SerialWriter {
  readonly #stream: SSEStreamingApi;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(stream: SSEStreamingApi) {
    this.#stream = stream;
  }

  event(event: string, data: unknown): void {
    this.#then(() => this.#stream.writeSSE({ event, data: JSON.stringify(data) }));
  }

  comment(text: string): void {
    this.#then(() => this.#stream.write(`: ${text}\n\n`));
  }

  drained(): Promise<unknown> {
    return this.#chain;
  }

  #then(write: () => Promise<unknown>): void {
    this.#chain = this.#chain.then(() => (this.#stream.aborted ? undefined : write())).catch(() => {});
  }
}
