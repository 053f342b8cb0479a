/**
 * Issue 5, names a device cannot hold: an agent copies a meeting whose file names FAT32 or exFAT
 * refuse (`?`, `:`, a trailing dot, `CON`, Chinese on fusefat, two names differing only in case)
 * onto a real FAT32 image (fusefat), a real exFAT image (exfat-fuse) and a plain directory. On
 * the images every file lands under its mapped name with its exact bytes, and the task reports
 * the renames; on the plain directory every name stays as it is.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canMount,
  mountExfat,
  mountFat32,
  skipMounting,
  type MountedImage,
} from '../test/helpers/fat-image.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { topics } from '../shared/topics.js';
import { Agent } from './agent.js';
import { usesFatNames } from './copy/device-names.js';
import { readFsType } from './devices/fs-type.js';
import { Journal } from './journal/journal.js';
import { observe, startBroker, type SeenMessage, type TestBroker } from './testing/broker.js';
import { startMeetingServer, type MeetingServer } from './testing/meeting-server.js';
import { waitFor } from './testing/wait-for.js';
import { testAgentConfig } from './testing/agent-config.js';

const MEETING = 'board-2026';
/** In manifest order; `deck.pptx` comes after `Deck.pptx`, so it is the one numbered. */
const FILES: Record<string, Buffer> = {
  'agenda?.pdf': Buffer.from('%PDF-1.7 agenda'),
  'a:b.txt': Buffer.from('a to b'),
  'notes.': Buffer.from('notes without extension'),
  'CON.txt': Buffer.from('console? no, a contract'),
  '说明.txt': Buffer.from('说明：会议资料', 'utf8'),
  'Deck.pptx': Buffer.alloc(300 * 1024, 1),
  'deck.pptx': Buffer.alloc(200 * 1024, 2),
  'sub:dir/x.txt': Buffer.from('inside a renamed folder'),
};

const ON_FAT = {
  'agenda?.pdf': 'agenda_.pdf',
  'a:b.txt': 'a_b.txt',
  'notes.': 'notes_',
  'CON.txt': 'CON_.txt',
  'deck.pptx': 'deck (2).pptx',
  'sub:dir/x.txt': 'sub_dir/x.txt',
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Rig {
  mountRoot: string;
  dataDir: string;
  broker: TestBroker;
  server: MeetingServer;
  observer: { messages: SeenMessage[]; client: MqttClient };
  agent: Agent;
}

async function startRig(agentId: string, mountRoot: string, dataDir: string): Promise<Rig> {
  const broker = await startBroker();
  const server = await startMeetingServer({ [MEETING]: FILES });
  const observer = await observe(broker.url, `wst/v1/agents/${agentId}/#`);
  const agent = new Agent({
    config: testAgentConfig({
      mqttUrl: broker.url,
      coordinatorUrl: server.url,
      agentId,
      dataDir,
      mountRoot,
    }),
    journal: await Journal.open(dataDir),
    logger: pino({ level: 'silent' }),
    version: '9.9.9',
  });
  await agent.start();
  return { mountRoot, dataDir, broker, server, observer, agent };
}

async function stopRig(rig: Rig | undefined): Promise<void> {
  await rig?.agent.stop();
  await rig?.observer.client.endAsync();
  await rig?.server.close();
  await rig?.broker.close();
}

/** Sends a sync command and returns the task's `completed` state (fails on `failed`). */
async function syncAndWait(rig: Rig, agentId: string, serialNumber: string, taskId: string) {
  const command = {
    type: 'sync',
    taskId,
    batchId: 'batch_20261204_160000_abc123',
    meetingId: MEETING,
    serialNumber,
    issuedAt: Date.now(),
  };
  await rig.observer.client.publishAsync(topics.commands(agentId), JSON.stringify(command), {
    qos: 1,
  });
  const ended = await waitFor(
    `task ${taskId} ended`,
    () =>
      rig.observer.messages.find(
        (m) =>
          m.topic === topics.taskState(agentId, taskId) &&
          (m.body.state === 'completed' || m.body.state === 'failed'),
      ),
    15_000,
  );
  expect(ended.body).toMatchObject({ state: 'completed' });
  return ended.body;
}

function expectedNames(renames: Record<string, string>) {
  const devicePath = (from: string) => renames[from] ?? from;
  const renamedFiles = Object.keys(FILES)
    .filter((from) => renames[from] !== undefined)
    .map((from) => ({ from, to: renames[from]! }));
  const recordFiles = Object.entries(FILES).map(([from, bytes]) => ({
    path: from,
    ...(renames[from] !== undefined && { devicePath: renames[from] }),
    size: bytes.length,
    sha256: sha256(bytes),
  }));
  return { devicePath, renamedFiles, recordFiles };
}

/** Copies the meeting onto the device, checks every name and byte, then copies it again. */
function describeCopy(
  kind: string,
  serial: string,
  prepare: (mountPoint: string) => Promise<{ fsType?: string; cleanup(): Promise<void> }>,
  renames: Record<string, string>,
) {
  const agentId = `host-names-${kind}`;
  let rig: Rig | undefined;
  let device: { fsType?: string; cleanup(): Promise<void> } | undefined;
  let meetingDir: string;

  beforeAll(async () => {
    const dir = await tempDir(`wst-names-${kind}-`);
    const mountPoint = path.join(dir, 'mounts', serial);
    device = await prepare(mountPoint);
    meetingDir = path.join(mountPoint, 'meetings', MEETING);
    rig = await startRig(agentId, path.join(dir, 'mounts'), path.join(dir, 'data'));
  });

  afterAll(async () => {
    await stopRig(rig);
    await device?.cleanup();
  });

  it('stores each file under its device name, byte for byte, and reports the renames', async () => {
    const presence = await waitFor('device online', () =>
      rig!.observer.messages.find(
        (m) => m.topic === topics.device(agentId, serial) && m.body.online,
      ),
    );
    if (device!.fsType) expect(presence.body.fsType).toBe(device!.fsType);
    const { devicePath, renamedFiles, recordFiles } = expectedNames(renames);
    const taskId = `task_20261204_160000_${kind.padEnd(8, '0').slice(0, 8)}`;

    const completed = await syncAndWait(rig!, agentId, serial, taskId);

    expect(completed).toMatchObject({ fileCount: 8, skippedFiles: 0 });
    if (renamedFiles.length > 0) expect(completed.renamedFiles).toEqual(renamedFiles);
    else expect(completed).not.toHaveProperty('renamedFiles');
    for (const [from, bytes] of Object.entries(FILES)) {
      const onDevice = await readFile(path.join(meetingDir, devicePath(from)));
      expect(sha256(onDevice), `${from} as ${devicePath(from)}`).toBe(sha256(bytes));
    }
    const topLevel = Object.keys(FILES).map((from) => devicePath(from).split('/')[0]!);
    const listed = await readdir(meetingDir);
    expect(listed.sort()).toEqual([...new Set([...topLevel, '.wst-sync.json'])].sort());

    const record = JSON.parse(await readFile(path.join(meetingDir, '.wst-sync.json'), 'utf8'));
    expect(record).toMatchObject({ meetingId: MEETING, taskId, fileCount: 8 });
    expect(record.files).toEqual(recordFiles);

    const journal = JSON.parse(await readFile(path.join(rig!.dataDir, 'journal.json'), 'utf8'));
    const verified = journal.tasks[taskId].verified as Record<string, { devicePath?: string }>;
    expect(Object.keys(verified).sort()).toEqual(Object.keys(FILES).sort());
    for (const [from, file] of Object.entries(verified)) {
      expect(file.devicePath, from).toBe(renames[from]);
    }
  });

  it('finds every file under its device name when the meeting is copied again', async () => {
    const downloadsBefore = rig!.server.requests.filter((r) => r.path.includes('/files/')).length;
    const taskId = `task_20261204_160001_${kind.padEnd(8, '0').slice(0, 8)}`;

    const completed = await syncAndWait(rig!, agentId, serial, taskId);

    expect(completed).toMatchObject({ fileCount: 8, skippedFiles: 8 });
    const downloadsAfter = rig!.server.requests.filter((r) => r.path.includes('/files/')).length;
    expect(downloadsAfter).toBe(downloadsBefore);
  });
}

const FAT = canMount('fat32');
const EXFAT = canMount('exfat');

const mountedImage = async (image: Promise<MountedImage>) => {
  const mounted = await image;
  return { fsType: mounted.fsType, cleanup: () => mounted.unmount() };
};

describe.skipIf(skipMounting(FAT))('names FAT32 cannot hold (real FAT32 image, fusefat)', () => {
  // fusefat refuses every name outside printable ASCII with EPERM: 说明 becomes __.
  describeCopy(
    'fat32',
    'WST300LX1000561',
    (mountPoint) => mountedImage(mountFat32(mountPoint, { sizeMiB: 32 })),
    { ...ON_FAT, '说明.txt': '__.txt' },
  );
});

describe.skipIf(skipMounting(EXFAT))('names exFAT cannot hold (real exFAT image)', () => {
  describeCopy(
    'exfat',
    'WST300LX1000601',
    (mountPoint) => mountedImage(mountExfat(mountPoint, { sizeMiB: 32 })),
    ON_FAT,
  );
});

describe('names on a plain directory', () => {
  describeCopy(
    'plain',
    'WST300LX1000901',
    async (mountPoint) => {
      await mkdir(mountPoint, { recursive: true });
      return { cleanup: async () => {} };
    },
    {},
  );

  it('runs on a filesystem that keeps names as they are', async () => {
    const fsType = await readFsType(os.tmpdir());
    expect(usesFatNames(fsType), `temp dir filesystem ${fsType}`).toBe(false);
  });
});
