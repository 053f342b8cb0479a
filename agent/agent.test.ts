import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../shared/error-codes.js';
import {
  AgentStatus,
  Command,
  DevicePresence,
  TaskProgress,
  TaskState,
} from '../shared/messages.js';
import { parseTopic, topics } from '../shared/topics.js';
import { Agent } from './agent.js';
import type { AgentConfig } from './config.js';
import { Journal } from './journal/journal.js';
import { observe, startBroker, type SeenMessage, type TestBroker } from './testing/broker.js';
import { startMeetingServer, type MeetingServer } from './testing/meeting-server.js';
import { waitFor } from './testing/wait-for.js';
import { testAgentConfig } from './testing/agent-config.js';

const AGENT_ID = 'host-a';
const SERIAL = 'WST300LX1000560';
const meetings = {
  'meeting-1': {
    'agenda.txt': Buffer.from('agenda'),
    'slides/deck.pdf': Buffer.alloc(2 * 1024 * 1024 + 5, 3),
  },
};

let dir: string;
let broker: TestBroker;
let server: MeetingServer;
let observer: { messages: SeenMessage[]; client: MqttClient };
let agents: Agent[];
let logs: Record<string, unknown>[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wst-agent-'));
  await mkdir(path.join(dir, 'mounts', SERIAL), { recursive: true });
  broker = await startBroker();
  server = await startMeetingServer(meetings);
  observer = await observe(broker.url, `wst/v1/agents/${AGENT_ID}/#`);
  agents = [];
  logs = [];
});

afterEach(async () => {
  for (const agent of agents) await agent.stop();
  await observer.client.endAsync();
  await server.close();
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

async function startAgent(settings: Partial<AgentConfig> = {}): Promise<Agent> {
  const config = testAgentConfig(
    {
      mqttUrl: broker.url,
      coordinatorUrl: server.url,
      agentId: AGENT_ID,
      dataDir: path.join(dir, 'data'),
      mountRoot: path.join(dir, 'mounts'),
    },
    settings,
  );
  const stream = { write: (line: string) => void logs.push(JSON.parse(line)) };
  const logger = pino({ level: 'debug' }, stream).child({ agentId: AGENT_ID });
  const journal = await Journal.open(config.dataDir);
  const agent = new Agent({ config, journal, logger, version: '9.9.9', rescanMs: 100 });
  agents.push(agent);
  const seenBefore = observer.messages.length;
  await agent.start();
  // Commands reach an agent once it is subscribed, which it announces with its status.
  await waitFor('agent online', () =>
    observer.messages
      .slice(seenBefore)
      .some((m) => m.topic === topics.agentStatus(AGENT_ID) && m.body.online),
  );
  return agent;
}

async function stopAgent(agent: Agent): Promise<void> {
  agents = agents.filter((a) => a !== agent);
  await agent.stop();
}

function sendCommand(command: object | string, { retain = false } = {}): Promise<unknown> {
  const payload = typeof command === 'string' ? command : JSON.stringify(command);
  return observer.client.publishAsync(topics.commands(AGENT_ID), payload, { qos: 1, retain });
}

const sync = (taskId: string, serialNumber = SERIAL) => ({
  type: 'sync',
  taskId,
  batchId: 'batch_20251110_172109_abc123',
  meetingId: 'meeting-1',
  serialNumber,
  issuedAt: Date.now(),
});

const states = (taskId: string) =>
  observer.messages
    .filter((m) => m.topic === topics.taskState(AGENT_ID, taskId))
    .map((m) => `${m.body.state}#${m.body.seq}`);

const lastState = (taskId: string) =>
  observer.messages.filter((m) => m.topic === topics.taskState(AGENT_ID, taskId)).at(-1)?.body;

const waitForState = (taskId: string, state: string) =>
  waitFor(`${taskId} ${state}`, () => lastState(taskId)?.state === state, 10_000);

/** Serves `name` slowly: headers and 1000 bytes, the rest once released. */
function stall(name: string, bytes: Buffer): () => void {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  server.intercept = (request, response) => {
    if (!request.url?.endsWith(name)) return false;
    response.writeHead(200, { 'content-length': bytes.length });
    response.write(bytes.subarray(0, 1000));
    void released.then(() => response.end(bytes.subarray(1000)));
    return true;
  };
  return release;
}

/** The shared schema every message the agent publishes on `topic` must satisfy. */
function schemaFor(topic: string) {
  const kind = parseTopic(topic)?.kind;
  const schemas = {
    status: AgentStatus,
    device: DevicePresence,
    state: TaskState,
    progress: TaskProgress,
    commands: Command,
  };
  return kind ? schemas[kind] : undefined;
}

const deviceDir = (...parts: string[]) => path.join(dir, 'mounts', SERIAL, ...parts);

describe('Agent', () => {
  it('announces itself and its devices with retained messages on connect', async () => {
    await startAgent();
    await waitFor('presence', () => observer.messages.some((m) => m.topic.includes('/devices/')));

    const late = await observe(broker.url, `wst/v1/agents/${AGENT_ID}/#`);
    const retained = await waitFor('retained messages', () =>
      late.messages.length >= 2
        ? late.messages.sort((a, b) => b.topic.localeCompare(a.topic))
        : null,
    );
    await late.client.endAsync();

    expect(retained).toEqual([
      {
        topic: topics.agentStatus(AGENT_ID),
        retain: true,
        body: {
          agentId: AGENT_ID,
          online: true,
          version: '9.9.9',
          devices: [SERIAL],
          at: expect.any(Number),
          session: expect.any(String),
        },
      },
      {
        topic: topics.device(AGENT_ID, SERIAL),
        retain: true,
        body: expect.objectContaining({
          serialNumber: SERIAL,
          online: true,
          mountPath: deviceDir(),
        }),
      },
    ]);
    expect(retained[1]!.body.freeBytes).toBeGreaterThan(0);
    expect(broker.logins).toContainEqual({
      clientId: `wst-agent-${AGENT_ID}`,
      username: AGENT_ID,
      password: 'agent-secret',
    });
  });

  it('copies a meeting and reports accepted, running, completed with rising seq', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8684';

    await sendCommand(sync(taskId));
    await waitForState(taskId, 'completed');

    expect(states(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3']);
    expect(lastState(taskId)).toMatchObject({
      packageSize: 2 * 1024 * 1024 + 11,
      fileCount: 2,
      skippedFiles: 0,
    });
    expect(await readFile(deviceDir('meetings/meeting-1/agenda.txt'), 'utf8')).toBe('agenda');
    const progress = observer.messages
      .filter((m) => m.topic.endsWith('/progress'))
      .map((m) => m.body);
    expect(progress.at(-1)).toMatchObject({
      percent: 100,
      copiedBytes: 2 * 1024 * 1024 + 11,
      filesDone: 2,
    });
    expect(server.requests.every((r) => r.authorization === 'Bearer agent-secret')).toBe(true);
    for (const line of logs.filter((l) => l.taskId)) {
      expect(line).toMatchObject({
        agentId: AGENT_ID,
        batchId: expect.any(String),
        meetingId: 'meeting-1',
        serialNumber: SERIAL,
      });
    }
    expect(JSON.stringify(logs)).not.toContain('agent-secret');
    for (const message of observer.messages) {
      const schema = schemaFor(message.topic);
      expect(schema?.safeParse(message.body).success, message.topic).toBe(true);
    }
  });

  it('does not run a task twice when its sync command arrives again', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8685';
    await sendCommand(sync(taskId));
    await waitForState(taskId, 'completed');
    const fileRequests = server.requests.length;

    await sendCommand(sync(taskId));
    await waitFor('state re-told', () => states(taskId).length === 4);

    expect(states(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3', 'completed#3']);
    expect(server.requests.length).toBe(fileRequests);
  });

  it('keeps a task for an absent device queued until the device appears', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8686';

    await sendCommand(sync(taskId, 'WST300LX1000600'));
    await waitForState(taskId, 'accepted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(states(taskId)).toEqual(['accepted#1']);

    await mkdir(path.join(dir, 'mounts', 'WST300LX1000600'));
    await waitForState(taskId, 'completed');
    expect(states(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3']);
  });

  it('cancels a running copy with 1008 and removes its temporary file', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8687';
    const release = stall('deck.pdf', meetings['meeting-1']['slides/deck.pdf']);
    await sendCommand(sync(taskId));
    await waitFor(
      'temporary file',
      async () =>
        (await readdir(deviceDir('meetings/meeting-1/slides')).catch(() => [])).length > 0,
    );

    await sendCommand({ type: 'cancel', taskId });
    await waitForState(taskId, 'failed');
    release();

    expect(lastState(taskId)).toMatchObject({
      errorCode: ErrorCode.Cancelled,
      errorMessage: '已取消',
      seq: 3,
    });
    expect(await readdir(deviceDir('meetings/meeting-1/slides'))).toEqual([]);
  });

  it('fails a copy with 1003 at once when its device directory disappears and there is no grace', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8688';
    const release = stall('deck.pdf', meetings['meeting-1']['slides/deck.pdf']);
    await sendCommand(sync(taskId));
    await waitForState(taskId, 'running');
    await waitFor(
      'temporary file',
      async () =>
        (await readdir(deviceDir('meetings/meeting-1/slides')).catch(() => [])).length > 0,
    );

    await rm(deviceDir(), { recursive: true });
    await waitForState(taskId, 'failed');
    release();

    const failed = lastState(taskId);
    expect(failed, JSON.stringify(failed)).toMatchObject({ errorCode: ErrorCode.DeviceRemoved });
    const presence = observer.messages.filter((m) => m.topic === topics.device(AGENT_ID, SERIAL));
    // Offline first; with no grace the retained presence is then cleared at once.
    const told = presence.map((m) => m.body).filter((b) => b && typeof b === 'object' && 'online' in b);
    expect(told.at(-1)).toMatchObject({ online: false });
  });

  it('resumes an interrupted task after a restart without copying verified files again', async () => {
    const first = await startAgent();
    const taskId = 'task_20251110_172109_a68e8689';
    const release = stall('deck.pdf', meetings['meeting-1']['slides/deck.pdf']);
    await sendCommand(sync(taskId));
    await waitFor('first file verified', () =>
      observer.messages.some((m) => m.topic.endsWith('/progress') && m.body.filesDone === 1),
    );
    await stopAgent(first);
    release();
    server.intercept = null;
    const journal = JSON.parse(await readFile(path.join(dir, 'data/journal.json'), 'utf8'));
    expect(journal.tasks[taskId]).toMatchObject({ state: 'running', seq: 2 });

    await startAgent();
    await waitForState(taskId, 'completed');

    expect(lastState(taskId)).toMatchObject({ seq: 3, skippedFiles: 1 });
    expect(server.requests.filter((r) => r.path.endsWith('agenda.txt'))).toHaveLength(1);
    expect(await readdir(deviceDir('meetings/meeting-1/slides'))).toEqual(['deck.pdf']);
  });

  it('drops malformed commands and keeps serving', async () => {
    await startAgent();
    await sendCommand('not json');
    await sendCommand({ type: 'sync', taskId: '../../etc' });
    const before = observer.messages.length;

    await sendCommand({ type: 'report-state' });

    await waitFor('status re-told', () =>
      observer.messages.slice(before).some((m) => m.topic === topics.agentStatus(AGENT_ID)),
    );
    expect(logs.filter((l) => l.msg === 'command dropped')).toHaveLength(2);
  });

  it('re-subscribes and re-tells its state after the connection drops', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e868a';
    await sendCommand(sync(taskId));
    await waitForState(taskId, 'completed');

    broker.drop(`wst-agent-${AGENT_ID}`);
    await waitFor('offline will', () =>
      observer.messages.some((m) => m.topic === topics.agentStatus(AGENT_ID) && !m.body.online),
    );
    await waitFor('state re-told', () => states(taskId).length === 4, 10_000);
    await sendCommand({ type: 'report-state' });

    await waitFor('commands heard again', () => states(taskId).length === 5);
  });
});

describe('Agent given the same sync command more than once', () => {
  const fileRequests = (name: string) => server.requests.filter((r) => r.path.endsWith(name));
  /** Distinct states by seq: a re-told state repeats its seq, a second run would add new ones. */
  const distinctStates = (taskId: string) => [...new Set(states(taskId))];
  const copiesStarted = (taskId: string) =>
    logs.filter((l) => l.taskId === taskId && l.msg === 'copy started').length;

  it('starts one copy when the command arrives twice at once and again mid-copy', async () => {
    await startAgent();
    const taskId = 'task_20251110_172109_a68e8690';
    const release = stall('deck.pdf', meetings['meeting-1']['slides/deck.pdf']);

    await Promise.all([sendCommand(sync(taskId)), sendCommand(sync(taskId))]);
    await waitForState(taskId, 'running');
    await waitFor('deck requested', () => fileRequests('deck.pdf').length === 1);
    const agenda = await stat(deviceDir('meetings/meeting-1/agenda.txt'));
    await sendCommand(sync(taskId));
    await waitFor(
      'duplicate answered',
      () => logs.filter((l) => l.msg === 'sync received' && l.outcome === 'duplicate').length === 2,
    );
    release();
    await waitForState(taskId, 'completed');

    expect(distinctStates(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3']);
    expect(states(taskId)).toHaveLength(5); // two of them re-told, never a new seq
    expect(copiesStarted(taskId)).toBe(1);
    expect(fileRequests('agenda.txt')).toHaveLength(1);
    expect(fileRequests('deck.pdf')).toHaveLength(1);
    expect((await stat(deviceDir('meetings/meeting-1/agenda.txt'))).ino).toBe(agenda.ino);
  });

  it('does not copy again when a retained sync command is delivered again after a restart', async () => {
    const first = await startAgent();
    const taskId = 'task_20251110_172109_a68e8691';
    await sendCommand(sync(taskId), { retain: true });
    await waitForState(taskId, 'completed');
    const deck = await stat(deviceDir('meetings/meeting-1/slides/deck.pdf'));
    const requests = server.requests.length;
    await stopAgent(first);

    await startAgent();
    await waitFor('retained command answered', () =>
      logs.some((l) => l.msg === 'sync received' && l.outcome === 'duplicate'),
    );
    await waitFor(
      'state re-told',
      () => states(taskId).filter((s) => s === 'completed#3').length >= 2,
    );

    expect(distinctStates(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3']);
    expect(copiesStarted(taskId)).toBe(1);
    expect(server.requests.length).toBe(requests);
    expect((await stat(deviceDir('meetings/meeting-1/slides/deck.pdf'))).ino).toBe(deck.ino);
  });

  it('resumes from its journal, not from a second copy, when the command was queued again while it was down', async () => {
    const first = await startAgent();
    const taskId = 'task_20251110_172109_a68e8692';
    const release = stall('deck.pdf', meetings['meeting-1']['slides/deck.pdf']);
    await sendCommand(sync(taskId));
    await waitFor('agenda verified', () =>
      observer.messages.some((m) => m.topic.endsWith('/progress') && m.body.filesDone === 1),
    );
    const agenda = await stat(deviceDir('meetings/meeting-1/agenda.txt'));
    await stopAgent(first);
    release();
    server.intercept = null;

    // QoS 1 to a persistent session: the broker keeps this for the agent until it is back.
    await sendCommand(sync(taskId));
    await startAgent();
    await waitForState(taskId, 'completed');
    await waitFor('queued command answered', () =>
      logs.some((l) => l.msg === 'sync received' && l.outcome === 'duplicate'),
    );

    expect(distinctStates(taskId)).toEqual(['accepted#1', 'running#2', 'completed#3']);
    expect(lastState(taskId)).toMatchObject({ skippedFiles: 1 });
    expect(fileRequests('agenda.txt')).toHaveLength(1);
    expect((await stat(deviceDir('meetings/meeting-1/agenda.txt'))).ino).toBe(agenda.ino);
  });
});
