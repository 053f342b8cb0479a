import { describe, expect, it } from 'vitest';
import { FrameReader, frameHeader } from './bundle-frames.js';

/** The stream cut into pieces of `size` bytes, as a network would. */
async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(source: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts).toString();
}

describe('bundle frames', () => {
  const files = ['hello', null, '', 'a longer file body'];
  const stream = Buffer.concat(
    files.flatMap((text) => (text === null ? [frameHeader(null)] : [frameHeader(text.length), Buffer.from(text)])),
  );

  it.each([1, 2, 3, 7, 1000])('reads every file back when the stream arrives in %i-byte pieces', async (size) => {
    const reader = new FrameReader(pieces(stream, size));
    const read: (string | null)[] = [];
    for (let i = 0; i < files.length; i++) {
      const length = await reader.next();
      read.push(length === null ? null : await collect(reader.body(length)));
    }
    expect(read).toEqual(files);
  });

  it('reads to the end after the last file, and refuses bytes past it', async () => {
    const whole = new FrameReader(pieces(stream, 3));
    for (let i = 0; i < files.length; i++) {
      const length = await whole.next();
      if (length !== null) await collect(whole.body(length));
    }
    await expect(whole.end()).resolves.toBeUndefined();

    const extra = new FrameReader(pieces(Buffer.concat([frameHeader(1), Buffer.from('ab')]), 1));
    await collect(extra.body((await extra.next())!));
    await expect(extra.end()).rejects.toThrow(/after its last file/);
  });

  it('fails when the stream ends inside a file or a header, or a header is not a size', async () => {
    const cut = new FrameReader(pieces(stream.subarray(0, 4), 2));
    await expect(cut.next().then((n) => collect(cut.body(n!)))).rejects.toThrow(/ended/);
    await expect(new FrameReader(pieces(Buffer.from('12'), 1)).next()).rejects.toThrow(/ended/);
    await expect(new FrameReader(pieces(Buffer.from('1x\n'), 9)).next()).rejects.toThrow(/bad bundle/);
  });
});
