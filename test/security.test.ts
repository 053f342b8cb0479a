/**
 * Issue 5 end to end: who gets into the broker and the file endpoints, which lanes each client
 * may use, and a table of bad inputs, each with its exact answer and no change of state.
 */
import { once } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentApi } from '../shared/agent-api.js';
import { ApiClient, sleep } from './helpers/api.js';
import { makeMeeting } from './helpers/library.js';
import { spawnProcess } from './helpers/processes.js';
import { startCoordinator, type Coordinator } from './helpers/system.js';

const DIAG = { username: 'wst-diag', password: 'diag-secret-1' };
const API_TOKEN = 'api-token-for-tests';
const ORIGIN = 'http://frontend.test:3000';

const clients: MqttClient[] = [];

/** Connects and resolves with the client, or rejects with the broker's refusal. */
function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(client);
    client.once('connect', () => resolve(client));
    client.once('error', (error) => reject(error));
  });
}

const asAgent = (agentId: string, token: string, extra: IClientOptions = {}): IClientOptions => ({
  clientId: `wst-agent-${agentId}`,
  username: agentId,
  password: token,
  ...extra,
});

function received(client: MqttClient): { topic: string; payload: string }[] {
  const seen: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  return seen;
}

async function agentsCli(coordinator: Coordinator, args: string[]): Promise<string> {
  const proc = spawnProcess({
    name: 'agents-cli',
    entry: 'coordinator/main.ts',
    args: ['agents', ...args, '--data-dir', coordinator.dataDir],
  });
  const exit = await proc.exited;
  expect(exit.code).toBe(0);
  return proc.lines.map((l) => l.text).join('\n');
}

describe('security', () => {
  let coordinator: Coordinator;
  let api: ApiClient;
  let open: ApiClient;

  beforeAll(async () => {
    coordinator = await startCoordinator({
      env: {
        WST_DEVICE_SETTLE_MS: '0',
        WST_API_TOKEN: API_TOKEN,
        WST_DIAG_USERNAME: DIAG.username,
        WST_DIAG_PASSWORD: DIAG.password,
        WST_CORS_ORIGINS: ORIGIN,
      },
    });
    api = new ApiClient(coordinator.httpUrl, { authorization: `Bearer ${API_TOKEN}` });
    open = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'm1', { 'agenda.pdf': 'agenda' });
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await coordinator?.stop();
  });

  describe('broker', () => {
    it('refuses a client with a wrong token, no credentials, or a client id not bound to its agent id', async () => {
      const url = coordinator.mqttUrl;
      await expect(connect(url, asAgent('host-x', 'not-the-token'))).rejects.toMatchObject({ code: 4 });
      await expect(connect(url, { clientId: 'anon' })).rejects.toMatchObject({ code: 4 });
      await expect(
        connect(url, asAgent('host-x', coordinator.token, { clientId: 'wst-agent-host-y' })),
      ).rejects.toMatchObject({ code: 4 });
    });

    it("keeps a known agent out of another agent's command topic and topics", async () => {
      const diag = await connect(coordinator.mqttUrl, { clientId: 'diag-1', ...DIAG });
      await diag.subscribeAsync('wst/v1/#');
      const seen = received(diag);
      const from = coordinator.proc.lines.length;
      const x = await connect(coordinator.mqttUrl, asAgent('host-x', coordinator.token));

      const refused = await x.subscribeAsync('wst/v1/agents/host-y/commands').catch((e: Error) => e);
      const own = await x.subscribeAsync('wst/v1/agents/host-x/commands');
      const stillConnected = x.connected;
      x.publish('wst/v1/agents/host-y/status', '{"forged":true}', { qos: 0 });
      await sleep(300);

      // A failure code in SUBACK (128), not a disconnect that would start a reconnect storm.
      expect(refused).toBeInstanceOf(Error);
      expect(String(refused)).toContain('Subscribe error');
      expect(stillConnected).toBe(true);
      expect(own[0]!.qos).toBe(0);
      expect(seen.filter((m) => m.topic.includes('host-y'))).toEqual([]);
      const refusals = coordinator.proc.lines.slice(from).filter(
        (l) => l.json?.msg === 'broker refused a client request' && l.json.clientId === 'wst-agent-host-x',
      );
      expect(refusals.map((l) => l.json!.what).sort()).toEqual(['publish', 'subscribe']);
    });

    it("refuses a will message aimed at another agent's status topic", async () => {
      const diag = await connect(coordinator.mqttUrl, { clientId: 'diag-2', ...DIAG });
      await diag.subscribeAsync('wst/v1/#');
      const seen = received(diag);

      const result = await connect(
        coordinator.mqttUrl,
        asAgent('host-w', coordinator.token, {
          will: { topic: 'wst/v1/agents/host-y/status', payload: Buffer.from('forged'), qos: 0, retain: false },
        }),
      ).then(
        (client) => {
          client.stream.destroy();
          return 'connected';
        },
        () => 'refused',
      );
      await sleep(300);

      expect(['connected', 'refused']).toContain(result);
      expect(seen.filter((m) => m.topic === 'wst/v1/agents/host-y/status')).toEqual([]);
    });

    it("refuses the diagnostics account an agent's or the coordinator's client id", async () => {
      await expect(
        connect(coordinator.mqttUrl, { ...DIAG, clientId: 'wst-agent-host-a' }),
      ).rejects.toMatchObject({ code: 4 });
      await expect(
        connect(coordinator.mqttUrl, { ...DIAG, clientId: 'wst-coordinator' }),
      ).rejects.toMatchObject({ code: 4 });
    });

    it('lets the diagnostics account read everything and publish nothing', async () => {
      const diag = await connect(coordinator.mqttUrl, { clientId: 'diag-3', ...DIAG });
      const granted = await diag.subscribeAsync('wst/v1/#');
      const watcher = await connect(coordinator.mqttUrl, { clientId: 'diag-4', ...DIAG });
      await watcher.subscribeAsync('wst/v1/#');
      const seen = received(watcher);

      diag.publish('wst/v1/agents/host-y/commands', '{"type":"report-state"}');
      await sleep(300);

      expect(granted[0]!.qos).toBe(0);
      expect(seen.filter((m) => m.topic === 'wst/v1/agents/host-y/commands')).toEqual([]);
    });

    it('gives an added agent its own token, refuses it the shared one, and locks it out once revoked', async () => {
      const output = await agentsCli(coordinator, ['add', 'host-r']);
      const token = output.split('\n').find((line) => /^[A-Za-z0-9_-]{40,}$/.test(line.trim()))!.trim();
      await sleep(1500); // the coordinator notices the file within about a second

      const r = await connect(coordinator.mqttUrl, asAgent('host-r', token));
      await expect(
        connect(coordinator.mqttUrl, asAgent('host-r', coordinator.token, { clientId: 'wst-agent-host-r' })),
      ).rejects.toMatchObject({ code: 4 });
      const file = await fetch(coordinator.httpUrl + agentApi.manifest('m1'), {
        headers: { authorization: `Bearer ${token}`, 'x-wst-agent-id': 'host-r' },
      });
      expect(file.status).toBe(200);

      const closed = new Promise<void>((resolve) => r.once('close', () => resolve()));
      await agentsCli(coordinator, ['revoke', 'host-r']);
      await closed;

      await expect(connect(coordinator.mqttUrl, asAgent('host-r', token))).rejects.toMatchObject({
        code: 4,
      });
      const after = await fetch(coordinator.httpUrl + agentApi.manifest('m1'), {
        headers: { authorization: `Bearer ${token}`, 'x-wst-agent-id': 'host-r' },
      });
      expect(after.status).toBe(401);
      expect(await agentsCli(coordinator, ['list'])).toMatch(/host-r\trevoked /);
      const logs = coordinator.proc.lines.map((l) => l.text).join('\n');
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(coordinator.token);
    }, 30_000);
  });

  describe('HTTP', () => {
    it('requires the API token, and accepts it as access_token on a progress stream only', async () => {
      expect((await open.request('GET', '/api/v1/mount/sync/batch')).status).toBe(401);
      expect((await open.request('GET', '/api/v1/meetings')).status).toBe(401);
      expect((await api.request('GET', '/api/v1/mount/sync/batch')).status).toBe(200);
      expect((await open.request('GET', `/api/v1/mount/sync/batch?access_token=${API_TOKEN}`)).status).toBe(401);
      const stream = await open.request(
        'GET',
        `/api/v1/mount/sync/tasks/task_20990101_000000_deadbeef/progress/stream?access_token=${API_TOKEN}`,
      );
      expect(stream.status).toBe(404);
    });

    it('answers a CORS preflight for the allowed origin only, and refuses POSTs from others', async () => {
      const preflight = (origin: string) =>
        fetch(`${coordinator.httpUrl}/api/v1/mount/sync/batch`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const allowed = await preflight(ORIGIN);
      const other = await preflight('http://elsewhere.test');

      expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const fromAllowed = await api.request(
        'POST',
        '/api/v1/mount/sync/batch',
        { meetingIds: ['m1'], serialNumbers: ['D1'] },
        { origin: ORIGIN },
      );
      expect(fromAllowed.status).toBe(200);
    });
    it('closes the library file of every download a client gives up on, pipelined ones too', async () => {
      await makeMeeting(coordinator.meetingsDir, 'big', { 'big.bin': 8 << 20 });
      const pid = coordinator.proc.pid!;
      const libraryFds = () =>
        readdirSync(`/proc/${pid}/fd`).filter((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(coordinator.meetingsDir);
          } catch {
            return false;
          }
        }).length;
      const { hostname, port } = new URL(coordinator.httpUrl);
      const get =
        `GET ${agentApi.file('big', 'big.bin')} HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${coordinator.token}\r\nx-wst-agent-id: sec-agent\r\n\r\n`;

      // Three requests back to back on one connection, which the client then drops.
      for (let i = 0; i < 10; i++) {
        const socket = tcpConnect(Number(port), hostname);
        await once(socket, 'connect');
        socket.write(get + get + get);
        await sleep(20);
        socket.destroy();
      }

      for (let waited = 0; libraryFds() > 0 && waited < 5_000; waited += 100) await sleep(100);
      expect(libraryFds()).toBe(0);
      expect(coordinator.proc.lines.some((l) => l.text.includes('on garbage collection'))).toBe(false);
    });
    it('sends a bundle of the files asked for, and `-` for each it does not serve', async () => {
      const files = ['agenda.pdf', '../m1/agenda.pdf', 'missing.pdf', '/etc/passwd', 'agenda.pdf'];
      const res = await fetch(`${coordinator.httpUrl}${agentApi.bundle('m1')}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${coordinator.token}`,
          'x-wst-agent-id': 'sec-agent',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ files }),
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('6\nagenda-\n-\n-\n6\nagenda');
    });
  });

  describe('bad input', () => {
    const batchPath = '/api/v1/mount/sync/batch';
    const body = (extra: Record<string, unknown>) => ({
      meetingIds: ['m1'],
      serialNumbers: ['D1'],
      ...extra,
    });
    const long = 'x'.repeat(129);
    const agent = (token: string) => ({ authorization: `Bearer ${token}`, 'x-wst-agent-id': 'a1' });

    type Case = {
      name: string;
      method: 'GET' | 'POST';
      path: string;
      body?: unknown;
      headers?: Record<string, string> | 'agent';
      /** With `headers: 'agent'`: more headers beside the agent's credentials. */
      more?: Record<string, string>;
      status: number;
    };
    const cases: Case[] = [
      { name: 'body not JSON', method: 'POST', path: batchPath, body: 'nope', status: 400 },
      { name: 'body an array', method: 'POST', path: batchPath, body: '[]', status: 400 },
      { name: 'body null', method: 'POST', path: batchPath, body: 'null', status: 400 },
      { name: 'meetingIds missing', method: 'POST', path: batchPath, body: { serialNumbers: ['D1'] }, status: 400 },
      { name: 'serialNumbers missing', method: 'POST', path: batchPath, body: { meetingIds: ['m1'] }, status: 400 },
      { name: 'meetingIds empty', method: 'POST', path: batchPath, body: body({ meetingIds: [] }), status: 400 },
      { name: 'meetingIds a string', method: 'POST', path: batchPath, body: body({ meetingIds: 'm1' }), status: 400 },
      { name: 'meetingId a number', method: 'POST', path: batchPath, body: body({ meetingIds: [7] }), status: 400 },
      { name: 'meetingId empty', method: 'POST', path: batchPath, body: body({ meetingIds: [''] }), status: 400 },
      { name: 'meetingId ..', method: 'POST', path: batchPath, body: body({ meetingIds: ['..'] }), status: 400 },
      { name: 'meetingId ../etc', method: 'POST', path: batchPath, body: body({ meetingIds: ['../etc'] }), status: 400 },
      { name: 'meetingId absolute', method: 'POST', path: batchPath, body: body({ meetingIds: ['/etc/passwd'] }), status: 400 },
      { name: 'meetingId with a slash', method: 'POST', path: batchPath, body: body({ meetingIds: ['a/b'] }), status: 400 },
      { name: 'meetingId with a backslash', method: 'POST', path: batchPath, body: body({ meetingIds: ['a\\b'] }), status: 400 },
      { name: 'meetingId with NUL', method: 'POST', path: batchPath, body: body({ meetingIds: ['a\u0000b'] }), status: 400 },
      { name: 'meetingId of 129 characters', method: 'POST', path: batchPath, body: body({ meetingIds: [long] }), status: 400 },
      { name: 'meetingId with an MQTT wildcard', method: 'POST', path: batchPath, body: body({ meetingIds: ['a+b'] }), status: 400 },
      { name: 'serialNumber with #', method: 'POST', path: batchPath, body: body({ serialNumbers: ['D#1'] }), status: 400 },
      { name: 'serialNumber in Chinese', method: 'POST', path: batchPath, body: body({ serialNumbers: ['设备1'] }), status: 400 },
      { name: 'serialNumber with a leading dot', method: 'POST', path: batchPath, body: body({ serialNumbers: ['.hidden'] }), status: 400 },
      { name: 'metadata an array', method: 'POST', path: batchPath, body: body({ metadata: [] }), status: 400 },
      { name: 'metadata a string', method: 'POST', path: batchPath, body: body({ metadata: 'x' }), status: 400 },
      { name: 'metadata over 16 KiB of UTF-8', method: 'POST', path: batchPath, body: body({ metadata: { a: '中'.repeat(6000) } }), status: 400 },
      { name: 'options.offline unknown', method: 'POST', path: batchPath, body: body({ options: { offline: 'maybe' } }), status: 400 },
      { name: 'options.maxConcurrent 0', method: 'POST', path: batchPath, body: body({ options: { maxConcurrent: 0 } }), status: 400 },
      { name: 'options with an unknown key', method: 'POST', path: batchPath, body: body({ options: { turbo: true } }), status: 400 },
      { name: 'batch over the size limit', method: 'POST', path: batchPath, body: { meetingIds: ids('m', 101), serialNumbers: ids('d', 100) }, status: 413 },
      { name: 'body sent as text/plain', method: 'POST', path: batchPath, body: body({}), headers: { 'content-type': 'text/plain' }, status: 415 },
      { name: 'POST from a foreign origin', method: 'POST', path: batchPath, body: body({}), headers: { origin: 'http://evil.test' }, status: 403 },
      { name: 'Idempotency-Key too long', method: 'POST', path: batchPath, body: body({}), headers: { 'idempotency-key': long }, status: 400 },
      { name: 'list page 0', method: 'GET', path: `${batchPath}?page=0`, status: 400 },
      { name: 'list pageSize 5000', method: 'GET', path: `${batchPath}?pageSize=5000`, status: 400 },
      { name: 'list page not a number', method: 'GET', path: `${batchPath}?page=abc`, status: 400 },
      { name: 'status of an unknown batch', method: 'GET', path: `${batchPath}/batch_20990101_000000_abcdef/status`, status: 404 },
      { name: 'status of a path-like batch id', method: 'GET', path: `${batchPath}/..%2F..%2Fetc/status`, status: 404 },
      { name: 'retry of an unknown batch', method: 'POST', path: `${batchPath}/nope/retry`, status: 404 },
      { name: 'cancel of an unknown batch', method: 'POST', path: `${batchPath}/nope/cancel`, status: 404 },
      { name: 'cancel of an unknown task', method: 'POST', path: '/api/v1/mount/sync/tasks/nope/cancel', status: 404 },
      { name: 'stream of an unknown task', method: 'GET', path: '/api/v1/mount/sync/tasks/nope/progress/stream', status: 404 },
      { name: 'a wrong API token', method: 'GET', path: batchPath, headers: { authorization: 'Bearer wrong' }, status: 401 },
      { name: 'the API token in a Basic header', method: 'GET', path: batchPath, headers: { authorization: `Basic ${API_TOKEN}` }, status: 401 },
      { name: 'a manifest without a token', method: 'GET', path: agentApi.manifest('m1'), headers: { 'x-wst-agent-id': 'a1' }, status: 401 },
      { name: 'a manifest with the API token', method: 'GET', path: agentApi.manifest('m1'), headers: agent(API_TOKEN), status: 401 },
      { name: 'a manifest with a bad agent id', method: 'GET', path: agentApi.manifest('m1'), headers: { 'x-wst-agent-id': '../a' }, status: 400 },
      { name: 'a manifest of an unknown meeting', method: 'GET', path: agentApi.manifest('nope'), headers: 'agent', status: 404 },
      { name: 'a file path with ..', method: 'GET', path: '/api/v1/agent/meetings/m1/files/..%2F..%2Fagent-token', headers: 'agent', status: 404 },
      { name: 'a file outside the manifest', method: 'GET', path: '/api/v1/agent/meetings/m1/files/missing.pdf', headers: 'agent', status: 404 },
      { name: 'a file path with bad URL encoding', method: 'GET', path: '/api/v1/agent/meetings/m1/files/%E0%A4%A', headers: 'agent', status: 400 },
      { name: 'a bundle without a token', method: 'POST', path: agentApi.bundle('m1'), body: { files: ['agenda.pdf'] }, headers: { 'x-wst-agent-id': 'a1' }, status: 401 },
      { name: 'a bundle of an unknown meeting', method: 'POST', path: agentApi.bundle('nope'), body: { files: ['agenda.pdf'] }, headers: 'agent', status: 404 },
      { name: 'a bundle body not JSON', method: 'POST', path: agentApi.bundle('m1'), body: 'nope', headers: 'agent', status: 400 },
      { name: 'a bundle of no files', method: 'POST', path: agentApi.bundle('m1'), body: { files: [] }, headers: 'agent', status: 400 },
      { name: 'a bundle of 65 files', method: 'POST', path: agentApi.bundle('m1'), body: { files: ids('f', 65) }, headers: 'agent', status: 400 },
      { name: 'a bundle path not a string', method: 'POST', path: agentApi.bundle('m1'), body: { files: [7] }, headers: 'agent', status: 400 },
      { name: 'a bundle body sent as text/plain', method: 'POST', path: agentApi.bundle('m1'), body: { files: ['agenda.pdf'] }, headers: 'agent', more: { 'content-type': 'text/plain' }, status: 415 },
      { name: 'a bundle from a foreign origin', method: 'POST', path: agentApi.bundle('m1'), body: { files: ['agenda.pdf'] }, headers: 'agent', more: { origin: 'http://evil.test' }, status: 403 },
    ];

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const before = await state(api);
      const headers = c.headers === 'agent' ? { ...agent(coordinator.token), ...c.more } : c.headers;
      const client = c.headers && c.headers !== 'agent' && 'authorization' in c.headers ? open : api;

      const res = await client.request(c.method, c.path, c.body, headers);

      expect(res.status).toBe(c.status);
      expect(res.body).toEqual({ code: c.status, message: expect.any(String) });
      expect(await state(api)).toEqual(before);
    });

    it('answers 416 for a Range past the end of a file', async () => {
      const res = await fetch(coordinator.httpUrl + agentApi.file('m1', 'agenda.pdf'), {
        headers: { ...agent(coordinator.token), range: 'bytes=999999-' },
      });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */6');
    });

    const payloads: [string, string, string][] = [
      ['status that is not JSON', 'wst/v1/agents/host-m/status', '{oops'],
      ['status naming another agent', 'wst/v1/agents/host-m/status', JSON.stringify({ agentId: 'host-y', online: true, devices: [], at: 1 })],
      ['device presence for another serial', 'wst/v1/agents/host-m/devices/D1', JSON.stringify({ serialNumber: 'D2', online: true, at: 1 })],
      ['device presence with negative free bytes', 'wst/v1/agents/host-m/devices/D1', JSON.stringify({ serialNumber: 'D1', online: true, freeBytes: -1, at: 1 })],
      ['task state with an unknown state', 'wst/v1/agents/host-m/tasks/task_x/state', JSON.stringify({ taskId: 'task_x', batchId: 'b', meetingId: 'm', serialNumber: 'D1', state: 'exploded', seq: 1, at: 1 })],
      ['progress over 100 percent', 'wst/v1/agents/host-m/tasks/task_x/progress', JSON.stringify({ taskId: 'task_x', serialNumber: 'D1', copiedBytes: 1, totalBytes: 1, percent: 250, speed: 0, eta: null, currentFile: null, filesDone: 0, fileCount: 0, at: 1 })],
    ];

    it.each(payloads)('drops an MQTT %s with a log line naming its topic', async (_, topic, payload) => {
      const before = await state(api);
      const from = coordinator.proc.lines.length;
      const m = await connect(coordinator.mqttUrl, asAgent('host-m', coordinator.token));

      await m.publishAsync(topic, payload, { qos: 1 });
      const line = await coordinator.proc.waitForLog(
        (l) => l.json?.msg === 'dropped malformed agent message' && l.json.topic === topic,
        5_000,
        from,
      );

      expect(String(line.json!.error).length).toBeGreaterThan(0);
      expect(await state(api)).toEqual(before);
      m.end(true);
    });
  });
});

/** Everything a bad request could have changed: the batches and the devices online. */
async function state(api: ApiClient) {
  const batches = await api.request('GET', '/api/v1/mount/sync/batch');
  const devices = await api.request('GET', '/api/v1/mount/devices?all=true');
  return { batches: batches.body, devices: devices.body };
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
