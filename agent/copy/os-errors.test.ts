import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/error-codes.js';
import { identifyMount, toCopyError } from './os-errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-oserr-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const osError = (code: string) => Object.assign(new Error(`${code}: boom`), { code });

describe('toCopyError', () => {
  it('maps ENOSPC and EDQUOT to device full', async () => {
    const mount = await identifyMount(dir);

    expect((await toCopyError(osError('ENOSPC'), mount)).code).toBe(ErrorCode.DeviceFull);
    expect((await toCopyError(osError('EDQUOT'), mount)).code).toBe(ErrorCode.DeviceFull);
  });

  it('maps EIO to device removed only when the mount path is gone', async () => {
    const mount = await identifyMount(dir);

    const whilePresent = await toCopyError(osError('EIO'), mount);
    await rm(dir, { recursive: true });
    const afterRemoval = await toCopyError(osError('EIO'), mount);

    expect(whilePresent).toMatchObject({ code: ErrorCode.WriteFailed, detail: 'EIO: boom' });
    expect(afterRemoval.code).toBe(ErrorCode.DeviceRemoved);
  });

  it('keeps other write errors as 1006 with the OS text', async () => {
    const mount = await identifyMount(dir);

    const error = await toCopyError(osError('EPERM'), mount);

    expect(error).toMatchObject({ code: ErrorCode.WriteFailed, detail: 'EPERM: boom' });
  });

  it('reads EPERM from a write on fusefat as device full, but not EPERM from creating a file', async () => {
    const mount = await identifyMount(dir, 'fuse.fusefat');
    const onWrite = Object.assign(osError('EPERM'), { syscall: 'write' });
    const onOpen = Object.assign(osError('EPERM'), { syscall: 'open' });

    expect((await toCopyError(onWrite, mount)).code).toBe(ErrorCode.DeviceFull);
    expect((await toCopyError(onOpen, mount)).code).toBe(ErrorCode.WriteFailed);
    const elsewhere = await identifyMount(dir, 'ext4');
    expect((await toCopyError(onWrite, elsewhere)).code).toBe(ErrorCode.WriteFailed);
  });

  it('reports a missing mount as device removed before anything starts', async () => {
    await expect(identifyMount(path.join(dir, 'nope'))).rejects.toMatchObject({
      code: ErrorCode.DeviceRemoved,
    });
  });
});
