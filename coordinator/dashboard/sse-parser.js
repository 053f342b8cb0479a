/**
 * Splits a text/event-stream into events as EventSource does: `event:` names the event, `data:`
 * lines are joined with newlines, a blank line dispatches, lines starting with `:` are comments.
 *
 * @param {(event: string, data: string) => void} onEvent
 */
export function createSseParser(onEvent) {
  let buffer = '';
  let event = '';
  /** @type {string[]} */
  let data = [];

  /** @param {string} line */
  const readLine = (line) => {
    if (line === '') {
      if (data.length > 0) onEvent(event || 'message', data.join('\n'));
      event = '';
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };

  return {
    /** @param {string} text the next piece of the stream */
    push(text) {
      buffer += text;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) readLine(line);
    },
  };
}
