import { z } from 'zod';

/**
 * Several small files in one response, so that a package of thousands of them does not cost a
 * request each. The agent POSTs the relative paths it wants; the answer holds, for each path in
 * the order asked, a header line — the file's size in decimal ASCII, or `-` when the file is not
 * served — followed by exactly that many bytes:
 *
 *     5\nhello3\nabc-\n0\n
 *
 * A file that changes size while it is sent breaks the response off: the agent then fetches the
 * files it has not finished one by one.
 */
export const MAX_BUNDLE_FILES = 64;

export const BundleRequest = z.object({
  files: z.array(z.string().min(1).max(4096)).min(1).max(MAX_BUNDLE_FILES),
});
export type BundleRequest = z.infer<typeof BundleRequest>;

/** The header line before a file's bytes; `null` for a file that is not served. */
export function frameHeader(size: number | null): Buffer {
  return Buffer.from(size === null ? '-\n' : `${size}\n`, 'ascii');
}

const LONGEST_HEADER = 20;

/**
 * Reads a bundle response frame by frame: `next()` gives the size of the next file (`null` when
 * it is not served), then `body(size)` yields exactly its bytes.
 */
export class FrameReader {
  readonly #chunks: AsyncIterator<Buffer>;
  #held: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<Buffer>) {
    this.#chunks = source[Symbol.asyncIterator]();
  }

  async next(): Promise<number | null> {
    for (;;) {
      const end = this.#held.indexOf(0x0a);
      if (end >= 0) {
        const line = this.#held.subarray(0, end).toString('ascii');
        this.#held = this.#held.subarray(end + 1);
        if (line === '-') return null;
        if (!/^\d{1,16}$/.test(line)) throw new Error(`bad bundle frame header ${JSON.stringify(line)}`);
        return Number(line);
      }
      if (this.#held.length > LONGEST_HEADER) throw new Error('bad bundle frame header');
      await this.#pull('a frame header');
    }
  }

  async *body(size: number): AsyncGenerator<Buffer> {
    let left = size;
    while (left > 0) {
      if (this.#held.length === 0) await this.#pull(`${left} more bytes of a file`);
      const piece = this.#held.subarray(0, Math.min(left, this.#held.length));
      this.#held = this.#held.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  /** Reads the source to its end (an HTTP response then frees its socket); extra bytes fail. */
  async end(): Promise<void> {
    for (;;) {
      if (this.#held.length > 0) throw new Error('bundle holds bytes after its last file');
      const { value, done } = await this.#chunks.next();
      if (done) return;
      this.#held = value;
    }
  }

  async #pull(wanted: string): Promise<void> {
    const { value, done } = await this.#chunks.next();
    if (done) throw new Error(`bundle ended while waiting for ${wanted}`);
    this.#held = this.#held.length === 0 ? value : Buffer.concat([this.#held, value]);
  }
}
