import { describe, expect, it } from 'vitest';
import { mapPathForFilesystem, planDeviceNames, usesFatNames } from './device-names.js';

describe('mapPathForFilesystem', () => {
  it.each([
    ['q?.txt', 'vfat', 'q_.txt'],
    ['a:b.txt', 'fuseblk', 'a_b.txt'],
    ['all \\:*?"<>| of them', 'exfat', 'all ________ of them'],
    ['tab\there\x01.txt', 'vfat', 'tab_here_.txt'],
    ['report.', 'vfat', 'report_'],
    ['notes. . ', 'exfat', 'notes____'],
    ['.hidden', 'vfat', '.hidden'],
    ['CON.txt', 'vfat', 'CON_.txt'],
    ['con', 'exfat', 'con_'],
    ['Lpt9.tar.gz', 'fuse.fusefat', 'Lpt9_.tar.gz'],
    ['COM0.txt', 'vfat', 'COM0.txt'],
    ['console.txt', 'vfat', 'console.txt'],
    ['NUL.', 'vfat', 'NUL_'],
    ['sub:dir/aux/x?.txt', 'vfat', 'sub_dir/aux_/x_.txt'],
    ['说明.txt', 'vfat', '说明.txt'],
    ['说明.txt', 'fuseblk', '说明.txt'],
    ['说明.txt', 'fuse.fusefat', '__.txt'],
    ['caf\u00e9 \u{1f600}.txt', 'fuse.fusefat', 'caf_ _.txt'],
    ['del\x7f.txt', 'fuse.fusefat', 'del_.txt'],
    ['a+b,c;d=e[f] (1).txt', 'fuse.fusefat', 'a+b,c;d=e[f] (1).txt'],
    ['q?.txt', undefined, 'q_.txt'],
    ['q?.txt', 'ext4', 'q?.txt'],
    ['report./CON.txt', 'tmpfs', 'report./CON.txt'],
    ['说明.txt', 'ext4', '说明.txt'],
  ])('maps %j on %s to %j', (from, fsType, to) => {
    expect(mapPathForFilesystem(from, fsType)).toBe(to);
  });

  it('applies FAT rules to FAT32, exFAT and unknown filesystems only', () => {
    const fat = ['vfat', 'msdos', 'exfat', 'fuseblk', 'fuse.fusefat', 'fuse.exfat', undefined];
    expect(fat.map(usesFatNames)).toEqual(fat.map(() => true));
    const plain = ['ext4', 'tmpfs', 'xfs', 'overlay'];
    expect(plain.map(usesFatNames)).toEqual(plain.map(() => false));
  });
});

describe('planDeviceNames', () => {
  it.each<[string, string[], string | undefined, { from: string; to: string }[]]>([
    ['nothing to change', ['agenda.pdf', 'slides/deck.pptx'], 'vfat', []],
    [
      'a case-only collision: the later one is numbered',
      ['Deck.pptx', 'deck.pptx'],
      'vfat',
      [{ from: 'deck.pptx', to: 'deck (2).pptx' }],
    ],
    [
      'a mapped name meeting a real one, counting on',
      ['a:b.txt', 'a?b.txt', 'A_B.txt'],
      'exfat',
      [
        { from: 'a:b.txt', to: 'a_b.txt' },
        { from: 'a?b.txt', to: 'a_b (2).txt' },
        { from: 'A_B.txt', to: 'A_B (3).txt' },
      ],
    ],
    [
      'a name already taken by a numbered one',
      ['x.txt', 'X.txt', 'x (2).txt'],
      'vfat',
      [
        { from: 'X.txt', to: 'X (2).txt' },
        { from: 'x (2).txt', to: 'x (2) (2).txt' },
      ],
    ],
    [
      'collisions inside folders that FAT merges',
      ['Sub/a.txt', 'sub/A.txt', 'sub:dir/x.txt'],
      'vfat',
      [
        { from: 'sub/A.txt', to: 'sub/A (2).txt' },
        { from: 'sub:dir/x.txt', to: 'sub_dir/x.txt' },
      ],
    ],
    [
      'a file named like a folder, with no extension and a dot file',
      ['notes', 'NOTES/x.txt', '.env', '.ENV'],
      'vfat',
      [
        { from: 'notes', to: 'notes (2)' },
        { from: '.ENV', to: '.ENV (2)' },
      ],
    ],
    ['no collision by case on ext4', ['Deck.pptx', 'deck.pptx', 'a:b.txt'], 'ext4', []],
  ])('%s', (_, paths, fsType, renamed) => {
    const names = planDeviceNames(paths, fsType);
    expect(names.renamed).toEqual(renamed);
    expect([...names.devicePaths.keys()]).toEqual(paths);
    const changed = new Map(renamed.map(({ from, to }) => [from, to]));
    for (const from of paths) expect(names.devicePaths.get(from)).toBe(changed.get(from) ?? from);
  });

  it('gives every path a distinct device name, case-insensitively on FAT', () => {
    const paths = ['Q?.txt', 'q_.txt', 'q*.TXT', 'Q|.txt', '说明.txt', '说明?.txt', '__.txt'];
    const devicePaths = [...planDeviceNames(paths, 'fuse.fusefat').devicePaths.values()];
    expect(new Set(devicePaths.map((p) => p.toLowerCase())).size).toBe(paths.length);
    expect(devicePaths).toEqual([
      'Q_.txt',
      'q_ (2).txt',
      'q_ (3).TXT',
      'Q_ (4).txt',
      '__.txt',
      '___.txt',
      '__ (2).txt',
    ]);
  });
});
