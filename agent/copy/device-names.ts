import type { RenamedFile } from '../../shared/messages.js';

/**
 * Names on the device. FAT32 and exFAT refuse characters and names that the library's
 * filesystem accepts, and compare names case-insensitively; a meeting file whose name the device
 * cannot hold is stored under a mapped one, and the copy reports the mapping.
 */

const FAT_FAMILY = new Set([
  'vfat',
  'msdos',
  'fat',
  'exfat',
  'fuseblk',
  'fuse.fusefat',
  'fuse.exfat',
]);

const FORBIDDEN = /[\\:*?"<>|\x00-\x1f]/g;
/** fusefat refuses every name outside printable ASCII with EPERM (DEL included). */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/gu;
const TRAILING_DOTS_AND_SPACES = /[. ]+$/;
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(?=\.|$)/i;

/**
 * True where FAT naming rules apply: FAT32 and exFAT as mountinfo names them, and an unknown type
 * (a device is FAT32 or exFAT; a needless rename is cheaper than a task failed by a name).
 */
export function usesFatNames(fsType: string | undefined): boolean {
  return !fsType || FAT_FAMILY.has(fsType);
}

/**
 * The path a meeting file gets on a filesystem of `fsType`, segment by segment, before
 * collisions are resolved. Other filesystems keep the path as it is.
 *
 * @example mapPathForFilesystem('sub:dir/CON.txt', 'vfat') // 'sub_dir/CON_.txt'
 */
export function mapPathForFilesystem(relativePath: string, fsType: string | undefined): string {
  if (!usesFatNames(fsType)) return relativePath;
  const asciiOnly = fsType === 'fuse.fusefat';
  return relativePath
    .split('/')
    .map((segment) => mapSegment(segment, asciiOnly))
    .join('/');
}

function mapSegment(segment: string, asciiOnly: boolean): string {
  let name = segment.replace(FORBIDDEN, '_');
  if (asciiOnly) name = name.replace(NOT_PRINTABLE_ASCII, '_');
  name = name.replace(TRAILING_DOTS_AND_SPACES, (tail) => '_'.repeat(tail.length));
  return name.replace(RESERVED, '$1_');
}

export interface DeviceNames {
  /** Library path → device path, for every path. */
  devicePaths: Map<string, string>;
  /** The paths whose device path differs, in manifest order. */
  renamed: RenamedFile[];
}

/**
 * Maps every manifest path for `fsType` and resolves collisions: where two paths end up with the
 * same name (case-insensitively on FAT), or a file with a folder's name, the later file in
 * manifest order gets ` (2)`, ` (3)`, … before its extension.
 *
 * @example planDeviceNames(['Deck.pptx', 'deck.pptx'], 'exfat').renamed
 * // [{ from: 'deck.pptx', to: 'deck (2).pptx' }]
 */
export function planDeviceNames(paths: readonly string[], fsType: string | undefined): DeviceNames {
  const key = usesFatNames(fsType) ? (p: string) => p.toLowerCase() : (p: string) => p;
  const mapped = paths.map((relative) => mapPathForFilesystem(relative, fsType));
  const folders = new Set(mapped.flatMap(foldersOf).map(key));
  const taken = new Set<string>();
  const names: DeviceNames = { devicePaths: new Map(), renamed: [] };

  paths.forEach((from, index) => {
    let to = mapped[index]!;
    for (let n = 2; taken.has(key(to)) || folders.has(key(to)); n++) {
      to = numbered(mapped[index]!, n);
    }
    taken.add(key(to));
    names.devicePaths.set(from, to);
    if (to !== from) names.renamed.push({ from, to });
  });
  return names;
}

function foldersOf(relative: string): string[] {
  const segments = relative.split('/');
  return segments.slice(1).map((_, end) => segments.slice(0, end + 1).join('/'));
}

/** `a/deck.pptx` → `a/deck (n).pptx`; a leading dot starts no extension. */
function numbered(relative: string, n: number): string {
  const slash = relative.lastIndexOf('/') + 1;
  const dot = relative.lastIndexOf('.');
  const cut = dot > slash ? dot : relative.length;
  return `${relative.slice(0, cut)} (${n})${relative.slice(cut)}`;
}
