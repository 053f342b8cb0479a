/**
 * Issue 3, a file too big for the device's filesystem: an agent with a real FAT32 image (FUSE)
 * under its mount root is asked to copy a meeting whose manifest lists a 4 GiB recording. It
 * refuses up front with 1010, naming the file and the limit, and writes nothing.
 *
 * At the agent level on purpose: the real coordinator would hash 4 GiB for the manifest (about
 * 20 s here even for a sparse file), so the manifest is served by the test's meeting server.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canMount,
  mountFat32,
  skipMounting,
  type MountedImage,
} from '../test/helpers/fat-image.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { ErrorCode } from '../shared/error-codes.js';
import { topics } from '../shared/topics.js';
import { Agent } from './agent.js';
import { Journal } from './journal/journal.js';
import { observe, startBroker, type SeenMessage, type TestBroker } from './testing/broker.js';
import { startMeetingServer, type MeetingServer } from './testing/meeting-server.js';
import { waitFor } from './testing/wait-for.js';
import { testAgentConfig } from './testing/agent-config.js';

const FAT = canMount('fat32');
const AGENT_ID = 'host-fat-limit';
const SERIAL = 'WST300LX1000778';
const FOUR_GIB = 2 ** 32;
/** sha256 of 4 GiB of zero bytes: what the library would list for a sparse `truncate -s 4G` file. */
const SPARSE_4G_SHA256 = '8479e43911dc45e89f934fe48d01297e16f51d17aa561d4d1c216b1ae0fcddca';

describe.skipIf(skipMounting(FAT))('a file larger than FAT32 allows (real FAT32 image)', () => {
  let broker: TestBroker;
  let server: MeetingServer;
  let observer: { messages: SeenMessage[]; client: MqttClient };
  let agent: Agent;
  let fat: MountedImage;

  beforeAll(async () => {
    const dir = await tempDir('wst-fat-limit-');
    fat = await mountFat32(path.join(dir, 'mounts', SERIAL), { sizeMiB: 64 });
    broker = await startBroker();
    server = await startMeetingServer({
      'annual-meeting': { 'agenda.pdf': Buffer.from('agenda') },
    });
    const manifest = server.manifest('annual-meeting');
    manifest.files.push({ path: 'recording.mp4', size: FOUR_GIB, sha256: SPARSE_4G_SHA256 });
    server.intercept = (request, response) => {
      if (!request.url?.endsWith('/manifest')) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 200, data: { ...manifest, fileCount: 2 } }));
      return true;
    };
    observer = await observe(broker.url, `wst/v1/agents/${AGENT_ID}/#`);

    agent = new Agent({
      config: testAgentConfig({
        mqttUrl: broker.url,
        coordinatorUrl: server.url,
        agentId: AGENT_ID,
        dataDir: path.join(dir, 'data'),
        mountRoot: path.join(dir, 'mounts'),
      }),
      journal: await Journal.open(path.join(dir, 'data')),
      logger: pino({ level: 'silent' }),
      version: '9.9.9',
    });
    await agent.start();
  });

  afterAll(async () => {
    await agent?.stop();
    await observer?.client.endAsync();
    await server?.close();
    await broker?.close();
    await fat?.unmount();
  });

  it('refuses up front with 1010, naming the file and the 4 GiB - 1 limit, and writes nothing', async () => {
    const presence = await waitFor('FAT32 device online', () =>
      observer.messages.find((m) => m.topic === topics.device(AGENT_ID, SERIAL) && m.body.online),
    );
    expect(presence.body.fsType).toBe('fuse.fusefat');
    const taskId = 'task_20251110_172109_a68e8699';

    const command = {
      type: 'sync',
      taskId,
      batchId: 'batch_20251110_172109_abc123',
      meetingId: 'annual-meeting',
      serialNumber: SERIAL,
      issuedAt: Date.now(),
    };
    await observer.client.publishAsync(topics.commands(AGENT_ID), JSON.stringify(command), {
      qos: 1,
    });
    const failed = await waitFor('task failed', () =>
      observer.messages.find(
        (m) => m.topic === topics.taskState(AGENT_ID, taskId) && m.body.state === 'failed',
      ),
    );

    expect(failed.body).toMatchObject({
      errorCode: ErrorCode.FileTooLarge,
      errorMessage: '文件超过设备文件系统上限',
      errorDetail:
        'recording.mp4 is 4294967296 bytes; a fuse.fusefat filesystem holds at most ' +
        '4294967295 bytes (4 GiB - 1) per file',
    });
    expect(server.requests.filter((r) => r.path.includes('/files/'))).toEqual([]);
    expect(await readdir(fat.mountPoint)).toEqual([]);
  });
});
