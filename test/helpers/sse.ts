import { SseParser, type SseFrame } from './sse-parser.js';

export type { SseFrame } from './sse-parser.js';

export interface ReadSseOptions {
  /** Stop reading once a frame satisfies this; the read then resolves with `reason: 'until'`. */
  until?: (frame: SseFrame, frames: SseFrame[]) => boolean;
  /** With `until`, running out of time is an error; without, it just ends the read. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  frames: SseFrame[];
  comments: string[];
  /** Every byte of the body as text, for exact-wire assertions. */
  text: string;
  reason: 'until' | 'end' | 'timeout' | 'aborted';
}

export interface SseReader {
  /** Filled as frames arrive. */
  frames: SseFrame[];
  done: Promise<SseResult>;
  abort(): void;
}

/**
 * Opens an SSE stream with fetch and parses it frame by frame.
 *
 * @example
 * const { done } = readSse(url, { until: (f) => f.event === 'completed', timeoutMs: 20_000 });
 * const { frames } = await done;
 */
export function readSse(url: string, options: ReadSseOptions = {}): SseReader {
  const controller = new AbortController();
  const parser = new SseParser();
  let reason: SseResult['reason'] | undefined;
  const stop = (why: SseResult['reason']) => {
    reason ??= why;
    controller.abort();
  };

  const timer = setTimeout(() => stop('timeout'), options.timeoutMs ?? 30_000);
  const done = consume(url, options, parser, controller.signal, () => stop('until'))
    .catch((error: unknown) => {
      if (!reason) throw error;
      return { status: 0, contentType: null, text: '' };
    })
    .then((response) => {
      const result: SseResult = {
        ...response,
        frames: parser.frames,
        comments: parser.comments,
        reason: reason ?? 'end',
      };
      if (result.reason === 'timeout' && options.until) {
        throw new Error(`SSE ${url}: no frame matched within the timeout; got ${describe(result)}`);
      }
      return result;
    })
    .finally(() => clearTimeout(timer));

  return { frames: parser.frames, done, abort: () => stop('aborted') };
}

async function consume(
  url: string,
  options: ReadSseOptions,
  parser: SseParser,
  signal: AbortSignal,
  onUntil: () => void,
): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...options.headers },
    signal,
  });
  const head = { status: response.status, contentType: response.headers.get('content-type') };
  let text = '';
  if (!response.body) return { ...head, text };

  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const decoded = decoder.decode(chunk, { stream: true });
      text += decoded;
      const frames = parser.push(decoded);
      if (options.until && frames.some((frame) => options.until!(frame, parser.frames))) {
        onUntil();
        break;
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  return { ...head, text };
}

function describe(result: SseResult): string {
  const shown = result.frames.slice(-5).map((frame) => frame.raw.replaceAll('\n', ' | '));
  return `${result.frames.length} frames (status ${result.status}); last: ${shown.join(' || ')}`;
}
