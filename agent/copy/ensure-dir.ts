import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError } from './copy-error.js';
import { fsyncDirectory } from './fs-sync.js';
import { isMountGone, type MountIdentity } from './os-errors.js';

/**
 * Creates the directories of a meeting folder, flushing the entry of each new one to the device,
 * and refuses those that a symbolic link on the device leads out of it. Remembers the
 * directories it checked.
 *
 * Before each mkdir it makes sure the device is still mounted: an unmounted device leaves an
 * empty mount point, where mkdir would succeed on the host disk. Files need no such check: in a
 * directory that is gone with its device, creating one fails.
 */
export class DirectoryMaker {
  readonly #mount: MountIdentity;
  readonly #meetingDir: string;
  readonly #checked = new Map<string, Promise<string>>();

  constructor(mount: MountIdentity, meetingDir: string) {
    this.#mount = mount;
    this.#meetingDir = meetingDir;
  }

  async ensure(directory: string): Promise<void> {
    const meetingDir = await this.#once(this.#meetingDir, () =>
      this.#make(this.#meetingDir, this.#mount.mountPath),
    );
    if (directory !== this.#meetingDir) {
      await this.#once(directory, () => this.#make(directory, meetingDir));
    }
  }

  #once(directory: string, make: () => Promise<string>): Promise<string> {
    let done = this.#checked.get(directory);
    if (!done) {
      done = make();
      this.#checked.set(directory, done);
      done.catch(() => this.#checked.delete(directory));
    }
    return done;
  }

  async #make(directory: string, within: string): Promise<string> {
    if (await isMountGone(this.#mount)) {
      throw new CopyError(ErrorCode.DeviceRemoved, `${this.#mount.mountPath} is no longer the device`);
    }
    const first = await mkdir(directory, { recursive: true });
    if (first) await flushNewEntries(first, directory);
    const [root, real] = [await realpath(within), await realpath(directory)];
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new CopyError(ErrorCode.WriteFailed, `${directory} is a link out of its folder`);
    }
    return real;
  }
}

/** fsyncs the parent of every directory from `first` (the top one created) down to `last`. */
async function flushNewEntries(first: string, last: string): Promise<void> {
  const created = [last];
  while (created[0] !== first && path.dirname(created[0]!) !== created[0]) {
    created.unshift(path.dirname(created[0]!));
  }
  for (const directory of created) await fsyncDirectory(path.dirname(directory));
}
