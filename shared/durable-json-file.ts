import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter that makes each write survive a power cut: write a temp file, fsync it, rename
 * it over the old one, fsync the directory. The previous good copy is kept as `<file>.bak` so a
 * damaged file can be recovered at start.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly filename: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(filename: string) {
    this.filename = filename;
  }

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.filename, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Writes are serialised so that the rename order matches the call order. */
  write(data: T): Promise<void> {
    return this.writeText(JSON.stringify(data));
  }

  /** `write` for a caller that serialises the data itself; `text` must be the data's JSON. */
  writeText(text: string): Promise<void> {
    const next = this.#queue.then(() => this.#write(text));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #write(text: string): Promise<void> {
    const temp = `${this.filename}.tmp`;
    const file = await open(temp, 'w');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }

    // `.bak` becomes a second name for the old file, replaced in one rename, so at every moment
    // both the file and a backup exist; then the new file replaces the old name in one rename.
    const backup = `${this.filename}.bak`;
    await unlink(`${backup}.new`).catch(ignoreMissing);
    const linked = await link(this.filename, `${backup}.new`).then(
      () => true,
      (error: NodeJS.ErrnoException) => ignoreMissing(error) ?? false,
    );
    if (linked) await rename(`${backup}.new`, backup);
    await rename(temp, this.filename);
    await syncDirectory(path.dirname(this.filename));
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code !== 'ENOENT') throw error;
  return undefined;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
