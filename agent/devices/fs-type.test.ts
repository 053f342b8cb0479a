import { describe, expect, it } from 'vitest';
import { fsTypeFromMountinfo } from './fs-type.js';

const mountinfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '30 22 0:25 / /srv rw,relatime shared:2 - xfs /dev/sdb1 rw',
  '41 30 7:0 / /srv/mounts/WST300LX1000560 rw,nosuid - fuse.fusefat /dev/loop0 rw',
  '42 30 7:1 / /srv/mounts/WST300\\040B rw - fuseblk /dev/loop1 rw,user_id=0',
  '43 30 7:2 / /srv/mounts/WST300LX10005 rw shared:9 master:3 - vfat /dev/sdc1 rw',
].join('\n');

describe('fsTypeFromMountinfo', () => {
  it('picks the longest mount point that contains the path', () => {
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/WST300LX1000560')).toBe('fuse.fusefat');
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/WST300LX1000560/meetings/m1')).toBe(
      'fuse.fusefat',
    );
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/other')).toBe('xfs');
    expect(fsTypeFromMountinfo(mountinfo, '/home')).toBe('ext4');
  });

  it('does not mistake a sibling with a common prefix for the mount', () => {
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/WST300LX1000560x')).toBe('xfs');
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/WST300LX10005')).toBe('vfat');
  });

  it('reads optional fields and escaped spaces', () => {
    expect(fsTypeFromMountinfo(mountinfo, '/srv/mounts/WST300 B')).toBe('fuseblk');
  });

  it('returns undefined for text it cannot read', () => {
    expect(fsTypeFromMountinfo('garbage\n', '/srv')).toBeUndefined();
  });
});
