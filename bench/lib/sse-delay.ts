import { SseParser } from '../../test/helpers/sse-parser.js';

/**
 * Follows one task's progress stream and records, for every live `progress` event, now minus the
 * time the simulated agent stamped on it. The first event (the snapshot on connect) is skipped.
 */
export class SseDelayClient {
  readonly delays: number[] = [];
  readonly #controller = new AbortController();
  readonly done: Promise<void>;
  #recording = false;

  constructor(url: string) {
    this.done = this.#read(url).catch((error: unknown) => {
      if (!this.#controller.signal.aborted) throw error;
    });
  }

  /** Delays are kept from now on (after a warm-up). */
  record(): void {
    this.#recording = true;
  }

  close(): void {
    this.#controller.abort();
  }

  async #read(url: string): Promise<void> {
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      signal: this.#controller.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let first = true;
    for await (const chunk of response.body) {
      const received = Date.now();
      for (const frame of parser.push(decoder.decode(chunk, { stream: true }))) {
        if (first) {
          first = false;
          continue;
        }
        const sentAt = stampOf(frame.data);
        if (frame.event === 'progress' && sentAt !== undefined && this.#recording) {
          this.delays.push(received - sentAt);
        }
      }
    }
  }
}

/** `at` when the event carries it; else the `sent-at/<ms>` the simulated agent put in `currentFile`. */
function stampOf(data: unknown): number | undefined {
  const event = data as { at?: unknown; currentFile?: unknown };
  if (typeof event.at === 'number') return event.at;
  const match = typeof event.currentFile === 'string' ? /^sent-at\/(\d+)$/.exec(event.currentFile) : null;
  return match ? Number(match[1]) : undefined;
}
