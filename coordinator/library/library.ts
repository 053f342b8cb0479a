import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { ID_PATTERN } from '../../shared/ids.js';
import { COMPLETION_RECORD, type Manifest } from '../../shared/manifest.js';
import { isSafeRelativePath } from '../../shared/safe-path.js';
import { hashFile } from '../../shared/hash-file.js';

export interface MeetingSummary {
  meetingId: string;
  fileCount: number;
  totalBytes: number;
}

interface HashEntry {
  /** ino, size, mtime and ctime: ctime changes on every write and cannot be set back. */
  stamp: string;
  sha256: string;
}

/** A library file opened for reading: its path, an open handle and its size at opening. */
export interface OpenedFile {
  path: string;
  handle: FileHandle;
  size: number;
}

type FileStamp = { ino: number; size: number; mtimeMs: number; ctimeMs: number };
const stampOf = (i: FileStamp) => `${i.ino}:${i.size}:${i.mtimeMs}:${i.ctimeMs}`;

/**
 * The meeting library: `<dir>/<meetingId>/**`. Symbolic links are never followed or served, so
 * nothing outside the library can be reached through it. File hashes are cached by inode, size,
 * modification and change time, so a file rewritten in place with its old mtime is hashed again.
 */
export class MeetingLibrary {
  readonly dir: string;
  readonly #hashes = new Map<string, HashEntry>();
  readonly #building = new Map<string, Promise<Manifest | null>>();
  /** The library folder with the links in its own path resolved, as `/proc/self/fd` names it. */
  #realDir: Promise<string> | undefined;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  async has(meetingId: string): Promise<boolean> {
    if (!ID_PATTERN.test(meetingId)) return false;
    const info = await lstat(path.join(this.dir, meetingId)).catch(() => null);
    return info?.isDirectory() ?? false;
  }

  async list(): Promise<MeetingSummary[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const ids = entries
      .filter((e) => e.isDirectory() && ID_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
    return Promise.all(ids.map((meetingId) => this.#summarise(meetingId)));
  }

  /** The manifest with size and sha256 per file; `null` when the meeting does not exist. */
  manifest(meetingId: string): Promise<Manifest | null> {
    let pending = this.#building.get(meetingId);
    if (!pending) {
      pending = this.#buildManifest(meetingId).finally(() => this.#building.delete(meetingId));
      this.#building.set(meetingId, pending);
    }
    return pending;
  }

  /**
   * Opens a file the meeting's manifest lists, for reading; `null` when there is none. Only a
   * regular file inside the meeting's folder qualifies, reached through no symbolic link: the
   * file is opened without following one, then its handle is checked, so a folder swapped for a
   * link between a check and the open cannot lead outside. The caller closes the handle.
   */
  async openFile(meetingId: string, relativePath: string): Promise<OpenedFile | null> {
    if (!ID_PATTERN.test(meetingId) || !isServable(relativePath)) return null;
    const file = path.join(this.dir, meetingId, relativePath);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding a thread.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const handle = await open(file, flags).catch(() => null);
    if (!handle) return null;
    try {
      const info = await handle.stat();
      if (info.isFile() && (await this.#reachedDirectly(handle, meetingId, relativePath))) {
        return { path: file, handle, size: info.size };
      }
    } catch {
      // Unreadable: served as missing.
    }
    await handle.close();
    return null;
  }

  /**
   * Whether an open file was reached with no link on the way. On Linux the kernel names the
   * file behind the handle (`/proc/self/fd`), which must be the path asked for: one call, and no
   * gap between check and use. Elsewhere each folder on the way must not be a link.
   */
  async #reachedDirectly(handle: FileHandle, meetingId: string, relativePath: string): Promise<boolean> {
    const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (actual !== null) {
      this.#realDir ??= realpath(this.dir).catch(() => this.dir);
      return actual === path.join(await this.#realDir, meetingId, relativePath);
    }
    let current = this.dir;
    for (const segment of [meetingId, ...relativePath.split('/').slice(0, -1)]) {
      current = path.join(current, segment);
      const info = await lstat(current).catch(() => null);
      if (!info?.isDirectory()) return false;
    }
    return true;
  }

  async #summarise(meetingId: string): Promise<MeetingSummary> {
    const root = path.join(this.dir, meetingId);
    const entries = await fg('**/*', { cwd: root, ...GLOB_OPTIONS, stats: true });
    const files = entries.filter((e) => isServable(e.path));
    const totalBytes = files.reduce((sum, e) => sum + (e.stats?.size ?? 0), 0);
    return { meetingId, fileCount: files.length, totalBytes };
  }

  async #listFiles(meetingId: string): Promise<string[] | null> {
    if (!(await this.has(meetingId))) return null;
    const entries = await fg('**/*', { cwd: path.join(this.dir, meetingId), ...GLOB_OPTIONS });
    return entries.filter(isServable).sort();
  }

  async #buildManifest(meetingId: string): Promise<Manifest | null> {
    const files = await this.#listFiles(meetingId);
    if (!files) return null;

    const root = path.join(this.dir, meetingId);
    const out: Manifest['files'] = [];
    for (const relative of files) {
      const full = path.join(root, relative);
      const info = await stat(full);
      out.push({ path: relative, size: info.size, sha256: await this.#hash(full, info) });
    }
    const totalBytes = out.reduce((sum, f) => sum + f.size, 0);
    return { meetingId, fileCount: out.length, totalBytes, files: out };
  }

  async #hash(full: string, info: FileStamp): Promise<string> {
    const cached = this.#hashes.get(full);
    if (cached && cached.stamp === stampOf(info)) return cached.sha256;
    const sha256 = await hashFile(full);
    this.#hashes.set(full, { stamp: stampOf(info), sha256 });
    return sha256;
  }
}

/** Regular files only, no links followed, hidden files included. */
const GLOB_OPTIONS = {
  onlyFiles: true,
  dot: true,
  followSymbolicLinks: false,
} as const;

/** A file the library serves: a safe path, and not a completion record copied in by mistake. */
function isServable(relative: string): boolean {
  return isSafeRelativePath(relative) && path.posix.basename(relative) !== COMPLETION_RECORD;
}
