import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees, listFiles, makeMeeting, sha256File } from './library.js';
import { tempDir } from './temp-dir.js';

describe('meeting library helpers', () => {
  it('writes nested files of the given sizes, the same bytes for the same seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const spec = {
      'agenda.pdf': 200_000,
      'slides/q4/review.pptx': 1_500_000,
      'notes.txt': 'hello\n',
    };
    const written = await makeMeeting(a, 'm1', spec);
    await makeMeeting(b, 'm1', spec);

    expect(await listFiles(path.join(a, 'm1'))).toEqual([
      'agenda.pdf',
      'notes.txt',
      'slides/q4/review.pptx',
    ]);
    expect(written.map((f) => f.size)).toEqual([200_000, 1_500_000, 6]);
    expect(await sha256File(path.join(a, 'm1/agenda.pdf'))).toBe(written[0]!.sha256);
    await expect(compareTrees(path.join(a, 'm1'), path.join(b, 'm1'))).resolves.toHaveLength(3);
  });

  it('accepts the completion record at the destination and nothing else extra', async () => {
    const root = await tempDir();
    await makeMeeting(root, 'src', { 'a.bin': 10_000, 'deep/b.bin': 20_000 });
    const src = path.join(root, 'src');
    const dst = path.join(root, 'dst');
    await cp(src, dst, { recursive: true });
    await writeFile(path.join(dst, '.wst-sync.json'), '{}');
    await expect(compareTrees(src, dst)).resolves.toEqual(['a.bin', 'deep/b.bin']);

    await writeFile(path.join(dst, 'deep/b.bin.part'), 'x');
    await expect(compareTrees(src, dst)).rejects.toThrow('unexpected: deep/b.bin.part');
  });

  it('names missing and differing files', async () => {
    const root = await tempDir();
    await makeMeeting(root, 'src', { 'a.bin': 1000, 'b.bin': 1000 });
    await makeMeeting(root, 'dst', { 'a.bin': 1000 }, 'another seed');

    await expect(compareTrees(path.join(root, 'src'), path.join(root, 'dst'))).rejects.toThrow(
      /missing: b\.bin\n\s+differs: a\.bin/,
    );
    await rm(path.join(root, 'dst'), { recursive: true });
  });
});
