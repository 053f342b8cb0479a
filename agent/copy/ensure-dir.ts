import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../shared/error-codes.js';
import { CopyError } from './copy-error.js';

/**
 * Creates the directories of a meeting folder and refuses those that a symbolic link on the
 * device leads out of it. Remembers the directories it checked.
 */
export class DirectoryMaker {
  readonly #mountPath: string;
  readonly #meetingDir: string;
  readonly #checked = new Map<string, Promise<string>>();

  constructor(mountPath: string, meetingDir: string) {
    this.#mountPath = mountPath;
    this.#meetingDir = meetingDir;
  }

  async ensure(directory: string): Promise<void> {
    const meetingDir = await this.#once(this.#meetingDir, () =>
      this.#make(this.#meetingDir, this.#mountPath),
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
    await mkdir(directory, { recursive: true });
    const [root, real] = [await realpath(within), await realpath(directory)];
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new CopyError(ErrorCode.WriteFailed, `${directory} is a link out of its folder`);
    }
    return real;
  }
}
