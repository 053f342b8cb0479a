/**
 * Issue 8, operations: `GET /openapi.json` describes every route the app registers, and the
 * answers of a real coordinator and agent validate against the document's own schemas (with
 * Ajv, an independent JSON Schema 2020-12 validator, not the zod schemas the document came from).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_FILES } from '../coordinator/dashboard/routes.js';
import { createApp } from '../coordinator/http/app.js';
import type { Services } from '../coordinator/http/services.js';
import { Histogram } from '../shared/histogram.js';
import { ApiClient, pollUntil, type RawResponse } from './helpers/api.js';
import { makeDeviceDir } from './helpers/devices.js';
import { makeMeeting } from './helpers/library.js';
import { startAgentFor, startCoordinator, tempDir, type Agent, type Coordinator } from './helpers/system.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const SERIAL = 'WST300LX1000950';
const ABSENT = 'WST300LX1000951';

/** Every method and path the Hono app serves, in OpenAPI path syntax; the dashboard's files aside. */
function appRoutes(): string[] {
  const stub = {
    secrets: { agentToken: 'x', apiToken: undefined, credentials: {} },
    corsOrigins: [],
    limits: { maxBatchSize: 1, sseKeepAliveMs: 1000 },
    ops: { mqttConnected: () => true, mqttMessagesReceived: () => 0, storeDir: '/', storeWrites: new Histogram() },
  } as unknown as Services;
  const dashboard = new Set(['/', ...DASHBOARD_FILES.map((f) => `/${f}`)]);
  const routes = createApp(stub)
    .routes.filter((r) => r.method !== 'ALL' && !dashboard.has(r.path))
    .map((r) => {
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\/files\/\*$/, '/files/{path}');
      return `${r.method.toLowerCase()} ${path}`;
    });
  return [...new Set(routes)].sort();
}

describe('OpenAPI document', () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let doc: Json;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('uri', true);

  beforeAll(async () => {
    coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
    api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'm-open', { 'a.pdf': 4 * 1024 * 1024, 'b/c.txt': 'c' });
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, SERIAL);
    agent = await startAgentFor(coordinator, {
      agentId: 'host-openapi',
      mountRoot,
      bwLimit: 2 * 1024 * 1024,
    });
    const res = await fetch(`${coordinator.httpUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    doc = (await res.json()) as Json;
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
  });

  /** Validates a real answer against the document's schema for that operation and status. */
  function check(method: string, path: string, res: RawResponse | { status: number; body: unknown }) {
    const response = doc.paths[path]?.[method]?.responses?.[String(res.status)];
    expect(response, `${method} ${path} documents status ${res.status}`).toBeDefined();
    const schema = response.content?.['application/json']?.schema;
    expect(schema, `${method} ${path} ${res.status} has a JSON schema`).toBeDefined();
    const validate = compiled(schema);
    expect(validate(res.body) ? [] : validate.errors, `${method} ${path} ${res.status}`).toEqual([]);
  }
  const cache = new Map<unknown, ValidateFunction>();
  const compiled = (schema: unknown) => {
    if (!cache.has(schema)) cache.set(schema, ajv.compile(schema as object));
    return cache.get(schema)!;
  };

  it('is OpenAPI 3.1 with a path for every route the app serves, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '0.1.0' });
    const documented = Object.entries(doc.paths as Json)
      .flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m} ${path}`))
      .sort();

    expect(documented).toEqual(appRoutes());
  });

  it('declares every path parameter, a unique operationId and compilable schemas', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        expect(ids.has(op.operationId), `${method} ${path} operationId`).toBe(false);
        ids.add(op.operationId);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name).sort();
        expect(declared, `${method} ${path}`).toEqual(inPath);
        expect(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${path}`).toBe(true);
        for (const response of Object.values(op.responses as Json)) {
          const schema = response.content?.['application/json']?.schema;
          if (schema) expect(() => compiled(schema)).not.toThrow();
        }
      }
    }
  });

  it('describes the create body with the schema that validates it', () => {
    const body = doc.paths['/api/v1/mount/sync/batch'].post.requestBody.content['application/json'].schema;
    const validate = compiled(body);

    expect(body.required.sort()).toEqual(['meetingIds', 'serialNumbers']);
    expect(validate({ meetingIds: ['m1'], serialNumbers: ['D1'], options: { offline: 'wait' } })).toBe(true);
    expect(validate({ meetingIds: ['../etc'], serialNumbers: ['D1'] })).toBe(false);
    expect(validate({ meetingIds: [], serialNumbers: ['D1'] })).toBe(false);
    expect(validate({ meetingIds: ['m1'], serialNumbers: ['D1'], options: { offline: 'later' } })).toBe(false);
  });

  it("validates real answers of every JSON route against the document's response schemas", async () => {
    const B = '/api/v1/mount/sync/batch';
    const created = await api.request('POST', B, { meetingIds: ['m-open'], serialNumbers: [SERIAL, ABSENT] });
    check('post', B, created);
    const batchId = (created.body as Json).data.batchId as string;
    const running = await pollUntil(
      () => api.request('GET', `${B}/${batchId}/tasks`),
      (r) => (r.body as Json).data.tasks.some((t: Json) => t.status === 'running'),
      { timeoutMs: 10_000, intervalMs: 50, description: 'a running subtask' },
    );
    check('get', `${B}/{batchId}/tasks`, running);
    check('get', `${B}/{batchId}/status`, await api.request('GET', `${B}/${batchId}/status`));
    check('get', B, await api.request('GET', `${B}?page=1&pageSize=10`));

    const taskId = (running.body as Json).data.tasks.find((t: Json) => t.status === 'running').taskId;
    check('post', '/api/v1/mount/sync/tasks/{taskId}/cancel', await api.request('POST', `/api/v1/mount/sync/tasks/${taskId}/cancel`));
    const stream = await api.progressStream(taskId, SERIAL, { timeoutMs: 10_000 }).done;
    const eventSchema = compiled(doc.components.schemas.ProgressEvent);
    expect(stream.frames.length).toBeGreaterThan(0);
    for (const frame of stream.frames) expect(eventSchema(frame.data) ? [] : eventSchema.errors).toEqual([]);

    await pollUntil(() => api.getStatus(batchId), (s) => s.status !== 'running', { timeoutMs: 10_000 });
    const ended = await api.request('GET', `${B}/${batchId}/tasks`);
    check('get', `${B}/{batchId}/tasks`, ended);
    check('post', `${B}/{batchId}/retry`, await api.request('POST', `${B}/${batchId}/retry`));
    const retried = await pollUntil(
      () => api.request('GET', `${B}/${batchId}/tasks`),
      (r) => (r.body as Json).data.tasks.some((t: Json) => t.history),
      { timeoutMs: 10_000, description: 'a retried subtask with history' },
    );
    check('get', `${B}/{batchId}/tasks`, retried);

    const waiting = await api.request('POST', B, {
      meetingIds: ['m-open'],
      serialNumbers: [ABSENT],
      options: { offline: 'wait', waitSeconds: 60 },
    });
    const waitingId = (waiting.body as Json).data.batchId as string;
    await pollUntil(() => api.getStatus(waitingId), (s) => s.createdCount === 1, { timeoutMs: 10_000 });
    check('get', `${B}/{batchId}/tasks`, await api.request('GET', `${B}/${waitingId}/tasks`));
    check('post', `${B}/{batchId}/cancel`, await api.request('POST', `${B}/${waitingId}/cancel`));

    check('get', '/api/v1/mount/devices', await api.request('GET', '/api/v1/mount/devices?all=true'));
    check('get', '/api/v1/meetings', await api.request('GET', '/api/v1/meetings'));
    const agentHeaders = { authorization: `Bearer ${coordinator.token}`, 'x-wst-agent-id': 'host-openapi' };
    check(
      'get',
      '/api/v1/agent/meetings/{meetingId}/manifest',
      await api.request('GET', '/api/v1/agent/meetings/m-open/manifest', undefined, agentHeaders),
    );
    check('get', '/healthz', await api.request('GET', '/healthz'));
    check('get', '/readyz', await api.request('GET', '/readyz'));
  });

  it('validates real failures against the documented error body', async () => {
    const B = '/api/v1/mount/sync/batch';
    check('get', `${B}/{batchId}/status`, await api.request('GET', `${B}/batch_20990101_000000_abcdef/status`));
    check('post', B, await api.request('POST', B, { meetingIds: [] }));
    check('post', `${B}/{batchId}/retry`, await api.request('POST', `${B}/batch_20990101_000000_abcdef/retry`));
    check(
      'get',
      '/api/v1/agent/meetings/{meetingId}/manifest',
      await api.request('GET', '/api/v1/agent/meetings/m-open/manifest'),
    );
  });
});
