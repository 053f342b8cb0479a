/** One dispatched server-sent event. */
export interface SseFrame {
  /** `message` when the frame names none. */
  event: string;
  /** The data lines joined by `\n`, parsed as JSON; the plain string when it is not JSON. */
  data: unknown;
  dataText: string;
  id?: string;
  retry?: number;
  /** The frame's lines exactly as received, without the blank line that ended it. */
  raw: string;
}

/**
 * Incremental parser for `text/event-stream` as the HTML spec defines it: lines end in CRLF, LF or
 * CR; a blank line dispatches; `:` starts a comment; one space after the colon is dropped; a block
 * without data lines dispatches nothing. Comments are kept apart so heartbeats can be checked.
 */
export class SseParser {
  readonly frames: SseFrame[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private block: string[] = [];
  private first = true;

  /** Feeds decoded text; returns the frames this chunk completed. */
  push(text: string): SseFrame[] {
    if (this.first && text.length > 0) {
      if (text.startsWith('\uFEFF')) text = text.slice(1);
      this.first = false;
    }
    this.buffer += text;

    const completed: SseFrame[] = [];
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer);
      // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const frame = this.line(line);
      if (frame) completed.push(frame);
    }
    this.frames.push(...completed);
    return completed;
  }

  private line(line: string): SseFrame | undefined {
    if (line !== '') {
      this.block.push(line);
      if (line.startsWith(':')) this.comments.push(line.slice(1).replace(/^ /, ''));
      return undefined;
    }
    const block = this.block;
    this.block = [];
    return toFrame(block);
  }
}

function toFrame(lines: string[]): SseFrame | undefined {
  let event = 'message';
  const data: string[] = [];
  let id: string | undefined;
  let retry: number | undefined;

  for (const line of lines) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  if (data.length === 0) return undefined;

  const dataText = data.join('\n');
  return { event, data: parseJson(dataText), dataText, id, retry, raw: lines.join('\n') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
