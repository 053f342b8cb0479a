import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError } from './copy-error.js';
import { writeFully } from './fs-sync.js';
import { writeFileAtomically } from './write-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-write-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

describe('writeFileAtomically', () => {
  it('writes identical bytes across block boundaries and leaves no temporary file', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_001 }, (_, i) => (i * 7) % 251));
    const destination = path.join(dir, 'slides.pdf');
    const reported: number[] = [];

    const written = await writeFileAtomically(
      chunksOf(bytes, 4096 + 3),
      destination,
      {
        size: bytes.length,
        sha256: sha256(bytes),
      },
      { blockSize: 65536, onBytes: (n) => reported.push(n) },
    );

    expect((await readFile(destination)).equals(bytes)).toBe(true);
    expect(await readdir(dir)).toEqual(['slides.pdf']);
    expect(reported.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    expect(Math.max(...reported)).toBe(65536);
    expect(written.sha256).toBe(sha256(bytes));
  });

  it('fails with 1007 on a checksum mismatch and leaves nothing under the final name', async () => {
    const destination = path.join(dir, 'agenda.txt');

    const failed = writeFileAtomically([Buffer.from('tampered')], destination, {
      size: 8,
      sha256: sha256(Buffer.from('original')),
    });

    await expect(failed).rejects.toMatchObject({ code: ErrorCode.ChecksumMismatch });
    expect(await readdir(dir)).toEqual([]);
  });

  it('names the file by its path in the meeting when it has one', async () => {
    const expected = { path: 'slides/agenda.txt', size: 8, sha256: sha256(Buffer.from('original')) };
    await expect(
      writeFileAtomically([Buffer.from('tampered')], path.join(dir, 'agenda.txt'), expected),
    ).rejects.toThrow('slides/agenda.txt: sha256 ');
    await expect(
      writeFileAtomically([Buffer.from('short')], path.join(dir, 'agenda.txt'), expected),
    ).rejects.toThrow('slides/agenda.txt: got 5 of 8 bytes');
  });

  it('stops with 1007 as soon as the source sends more bytes than expected', async () => {
    const failed = writeFileAtomically([Buffer.alloc(10), Buffer.alloc(10)], path.join(dir, 'a'), {
      size: 12,
      sha256: '0'.repeat(64),
    });

    await expect(failed).rejects.toBeInstanceOf(CopyError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the temporary file when aborted mid-stream', async () => {
    const controller = new AbortController();
    async function* source() {
      yield Buffer.alloc(1000);
      controller.abort(new CopyError(ErrorCode.Cancelled));
      yield Buffer.alloc(1000);
    }

    const failed = writeFileAtomically(
      source(),
      path.join(dir, 'video.mp4'),
      {
        size: 2000,
        sha256: '0'.repeat(64),
      },
      { signal: controller.signal, blockSize: 500 },
    );

    await expect(failed).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a file whose name leaves no room for the temporary suffix', async () => {
    const destination = path.join(dir, `${'n'.repeat(250)}.pdf`);

    await writeFileAtomically([Buffer.from('ok')], destination, {
      size: 2,
      sha256: sha256(Buffer.from('ok')),
    });

    expect(await readFile(destination, 'utf8')).toBe('ok');
    expect(await readdir(dir)).toEqual([path.basename(destination)]);
  });
});

describe('writeFully', () => {
  /** A handle whose writes stop after 3 bytes, as exFAT through FUSE does with large ones. */
  function shortWriting(target: Buffer): FileHandle {
    const put = (buffer: Uint8Array, position: number) => {
      const count = Math.min(buffer.length, 3);
      target.set(buffer.subarray(0, count), position);
      return count;
    };
    return {
      write: async (buffer: Buffer, offset: number, length: number, position: number) => ({
        bytesWritten: put(buffer.subarray(offset, offset + length), position),
      }),
      writev: async (buffers: Uint8Array[], position: number) => ({
        bytesWritten: put(Buffer.concat(buffers), position),
      }),
    } as unknown as FileHandle;
  }

  it('loops over short writes until every byte is written', async () => {
    const target = Buffer.alloc(10);
    await writeFully(shortWriting(target), [Buffer.from('0123456789')], 0);
    expect(target.toString()).toBe('0123456789');
  });

  it('resumes a gathered write inside the chunk where a short write stopped', async () => {
    const target = Buffer.alloc(13);
    const chunks = ['01', '', '2345', '6', '7890a', 'b'].map((text) => Buffer.from(text));
    await writeFully(shortWriting(target), chunks, 0);
    expect(target.toString()).toBe('01234567890ab');
  });

  it('treats a write of 0 bytes as an I/O error', async () => {
    const handle = { write: async () => ({ bytesWritten: 0 }) } as unknown as FileHandle;
    await expect(writeFully(handle, [Buffer.alloc(4)], 0)).rejects.toMatchObject({ code: 'EIO' });
  });
});
