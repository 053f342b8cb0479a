import { readFile, realpath } from 'node:fs/promises';

/**
 * The filesystem type of the mount holding `target`, from `/proc/self/mountinfo` text: the
 * entry with the longest mount point containing it. Through FUSE, statfs only reports FUSE's
 * magic number; mountinfo says `fuse.fusefat` or `fuseblk`.
 */
export function fsTypeFromMountinfo(mountinfo: string, target: string): string | undefined {
  let best: { mountPoint: string; fsType: string } | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields.length < separator + 2) continue;

    const mountPoint = unescapeMountPath(fields[4]!);
    const inside =
      target === mountPoint || mountPoint === '/' || target.startsWith(`${mountPoint}/`);
    if (inside && (!best || mountPoint.length >= best.mountPoint.length)) {
      best = { mountPoint, fsType: fields[separator + 1]! };
    }
  }
  return best?.fsType;
}

/** Reads the filesystem type of `target`'s mount; undefined where mountinfo is unavailable. */
export async function readFsType(target: string): Promise<string | undefined> {
  try {
    const [mountinfo, real] = await Promise.all([
      readFile('/proc/self/mountinfo', 'utf8'),
      realpath(target),
    ]);
    return fsTypeFromMountinfo(mountinfo, real);
  } catch {
    return undefined;
  }
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

const FAT32_TYPES = new Set(['vfat', 'msdos', 'fat', 'fuse.fusefat']);

/** The largest file a filesystem type can hold, where it is smaller than any package. */
export function maxFileSizeFor(fsType: string | undefined): number | undefined {
  return fsType && FAT32_TYPES.has(fsType) ? 2 ** 32 - 1 : undefined;
}
