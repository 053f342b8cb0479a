import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planCopy } from './plan.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-plan-'));
  await mkdir(path.join(dir, 'docs'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entry = (filePath: string, content: string) => ({
  path: filePath,
  size: Buffer.byteLength(content),
  sha256: createHash('sha256').update(content).digest('hex'),
});

describe('planCopy', () => {
  it('skips files already on the device with the same content and copies the rest', async () => {
    await writeFile(path.join(dir, 'docs/same.txt'), 'identical');
    await writeFile(path.join(dir, 'docs/changed.txt'), 'old words');
    const files = [
      entry('docs/same.txt', 'identical'),
      entry('docs/changed.txt', 'new words'),
      entry('docs/missing.txt', 'absent'),
    ];

    const plan = await planCopy(files, dir);

    expect(plan.skip.map((file) => file.path)).toEqual(['docs/same.txt']);
    expect(plan.copy.map((file) => file.path)).toEqual(['docs/changed.txt', 'docs/missing.txt']);
    expect(plan.bytesToCopy).toBe(9 + 6);
  });

  it('trusts the journal for a file whose size and mtime did not change', async () => {
    const file = path.join(dir, 'docs/big.bin');
    await writeFile(file, 'AAAA');
    const { mtimeMs } = await stat(file);
    const manifestEntry = entry('docs/big.bin', 'BBBB');

    const plan = await planCopy([manifestEntry], dir, [{ ...manifestEntry, mtimeMs }]);

    expect(plan.skip).toHaveLength(1);
    expect(plan.copy).toHaveLength(0);
  });

  it('hashes again once the mtime differs from the journal', async () => {
    const file = path.join(dir, 'docs/big.bin');
    await writeFile(file, 'AAAA');
    await utimes(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const manifestEntry = entry('docs/big.bin', 'BBBB');

    const plan = await planCopy([manifestEntry], dir, [{ ...manifestEntry, mtimeMs: 1 }]);

    expect(plan.copy.map((f) => f.path)).toEqual(['docs/big.bin']);
  });

  it('copies over a directory or a file of another size in the way', async () => {
    await mkdir(path.join(dir, 'docs/a-dir.txt'));
    await writeFile(path.join(dir, 'docs/short.txt'), 'ab');

    const plan = await planCopy(
      [entry('docs/a-dir.txt', 'x'), entry('docs/short.txt', 'abc')],
      dir,
    );

    expect(plan.copy).toHaveLength(2);
  });

  it('looks for a renamed file under its device path and reports both names', async () => {
    await writeFile(path.join(dir, 'docs/q_.txt'), 'asked');
    const file = { ...entry('docs/q?.txt', 'asked'), devicePath: 'docs/q_.txt' };

    const plan = await planCopy([file], dir);

    expect(plan.skip).toEqual([
      {
        path: 'docs/q?.txt',
        devicePath: 'docs/q_.txt',
        size: 5,
        sha256: file.sha256,
        mtimeMs: expect.any(Number),
      },
    ]);
  });

  it('does not trust a journal entry verified under another device name', async () => {
    const onDevice = path.join(dir, 'docs/deck (2).pptx');
    await writeFile(onDevice, 'AAAA');
    const { mtimeMs } = await stat(onDevice);
    const file = { ...entry('docs/deck.pptx', 'BBBB'), devicePath: 'docs/deck (2).pptx' };

    const plan = await planCopy([file], dir, [{ ...file, devicePath: undefined, mtimeMs }]);

    expect(plan.copy.map((f) => f.devicePath)).toEqual(['docs/deck (2).pptx']);
  });
});
