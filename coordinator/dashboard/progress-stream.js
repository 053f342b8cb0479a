/**
 * Follows one subtask's progress stream: `progress` events, then one final event, after which
 * the server closes the stream. The client closes its side at the final event, so EventSource
 * never reconnects to a finished stream.
 */
import { authHeaders } from './api.js';
import { createSseParser } from './sse-parser.js';
import { getToken, tokenRejected } from './token.js';

/** `cancelled` is what the server sends once subtasks can be cancelled. */
const FINAL_EVENTS = ['completed', 'failed', 'cancelled'];

/**
 * @typedef {'connecting' | 'open' | 'reconnecting' | 'ended' | 'lost' | 'error' | 'closed'} StreamState
 * @typedef {{
 *   onState: (state: StreamState, message?: string) => void,
 *   onProgress: (data: any) => void,
 *   onFinal: (event: string, data: any) => void,
 * }} StreamHandlers
 */

/**
 * @param {string} url
 * @param {StreamHandlers} handlers
 * @returns {{ close(): void }}
 */
export function followProgress(url, handlers) {
  // EventSource cannot send an Authorization header; with a token, fetch() reads the stream.
  return getToken() ? followWithFetch(url, handlers) : followWithEventSource(url, handlers);
}

/**
 * @param {string} url
 * @param {StreamHandlers} handlers
 */
function followWithEventSource(url, handlers) {
  const source = new EventSource(url);
  let opened = false;
  let finished = false;

  handlers.onState('connecting');
  source.onopen = () => {
    opened = true;
    handlers.onState('open');
  };
  source.addEventListener('progress', (event) => handlers.onProgress(JSON.parse(event.data)));
  for (const name of FINAL_EVENTS) {
    source.addEventListener(name, (event) => {
      finished = true;
      source.close();
      handlers.onFinal(name, JSON.parse(/** @type {MessageEvent} */ (event).data));
      handlers.onState('ended');
    });
  }
  source.onerror = () => {
    if (finished) return;
    if (source.readyState === EventSource.CLOSED) {
      finished = true;
      handlers.onState(opened ? 'lost' : 'error');
    } else {
      handlers.onState('reconnecting');
    }
  };

  return {
    close() {
      if (!finished) handlers.onState('closed');
      finished = true;
      source.close();
    },
  };
}

/**
 * @param {string} url
 * @param {StreamHandlers} handlers
 */
function followWithFetch(url, handlers) {
  const controller = new AbortController();
  let opened = false;
  let finished = false;

  const parser = createSseParser((event, data) => {
    if (finished) return;
    if (event === 'progress') handlers.onProgress(JSON.parse(data));
    if (FINAL_EVENTS.includes(event)) {
      finished = true;
      controller.abort();
      handlers.onFinal(event, JSON.parse(data));
      handlers.onState('ended');
    }
  });

  const read = async () => {
    handlers.onState('connecting');
    const response = await fetch(url, {
      headers: { Accept: 'text/event-stream', ...authHeaders() },
      cache: 'no-store',
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null);
      const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`;
      if (response.status === 401) tokenRejected(message);
      finished = true;
      handlers.onState('error', message);
      return;
    }

    opened = true;
    handlers.onState('open');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    if (!finished) {
      finished = true;
      handlers.onState('lost');
    }
  };

  read().catch(() => {
    if (finished || controller.signal.aborted) return;
    finished = true;
    handlers.onState(opened ? 'lost' : 'error');
  });

  return {
    close() {
      if (!finished) handlers.onState('closed');
      finished = true;
      controller.abort();
    },
  };
}
