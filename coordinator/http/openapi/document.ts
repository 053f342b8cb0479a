import type { z } from 'zod';
import { BundleRequest } from '../../../shared/bundle-frames.js';
import { CreateBatchBody } from '../../batches/create-batch.js';
import { RetryBody } from '../routes/batch-controls.js';
import { jsonSchema, type JsonSchema } from './json-schema.js';
import * as S from './schemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: jsonSchema(schema, io) },
});

const ok = (schema: z.ZodType, description: string) => ({
  description,
  content: json(S.envelope(schema)),
});

/** Failure answers, `{code, message}` with the HTTP status. */
const failures = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), { description: FAILURE_TEXT[status], content: json(S.ErrorBody) }]),
  );

const FAILURE_TEXT: Record<number, string> = {
  400: 'Bad input',
  401: 'Missing or wrong token',
  403: 'Cross-site request refused',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Batch or body too large',
  415: 'Body not sent as application/json',
};

const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

const API_TOKEN = [{}, { apiToken: [] }];
const AGENT = [{ agentToken: [] }];
const AGENT_ID = {
  name: 'X-WST-Agent-Id',
  in: 'header',
  required: true,
  description: 'The calling agent id',
  schema: { type: 'string' },
};

/** The OpenAPI 3.1 document of the coordinator's HTTP API (the dashboard's static files aside). */
export function openApiDocument(version: string): JsonSchema {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'wst-sync coordinator',
      version,
      description:
        'Batch sync of meeting packages onto WST300 devices. Successes answer ' +
        '`{"code": 200, "data": ...}`; failures `{"code": <status>, "message": ...}`.',
    },
    components: {
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'WST_API_TOKEN; needed only when it is set',
        },
        agentToken: { type: 'http', scheme: 'bearer', description: 'The agent token' },
      },
      schemas: { ProgressEvent: jsonSchema(S.ProgressEvent) },
    },
    paths: { ...batchPaths(), ...taskPaths(), ...otherApiPaths(), ...agentPaths(), ...opsPaths() },
  };
}

function batchPaths() {
  const batchId = pathParam('batchId', 'e.g. batch_20261204_153856_bfd533');
  return {
    '/api/v1/mount/sync/batch': {
      post: {
        operationId: 'createBatch',
        summary: 'Create a batch: meetings × devices',
        security: API_TOKEN,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: { type: 'string', minLength: 1, maxLength: 128 },
          },
        ],
        requestBody: { required: true, content: json(CreateBatchBody, 'input') },
        responses: {
          '200': ok(S.CreatedBatch, 'The batch, on disk'),
          ...failures(400, 401, 403, 409, 413, 415),
        },
      },
      get: {
        operationId: 'listBatches',
        summary: 'Batches, newest first',
        security: API_TOKEN,
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
          {
            name: 'pageSize',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        ],
        responses: { '200': ok(S.BatchList, 'One page of batches'), ...failures(400, 401) },
      },
    },
    '/api/v1/mount/sync/batch/{batchId}/status': {
      get: {
        operationId: 'getBatchStatus',
        summary: 'A batch with its counts',
        security: API_TOKEN,
        parameters: [batchId],
        responses: { '200': ok(S.BatchStatusView, 'The batch'), ...failures(401, 404) },
      },
    },
    '/api/v1/mount/sync/batch/{batchId}/tasks': {
      get: {
        operationId: 'getBatchTasks',
        summary: 'Every subtask of a batch',
        security: API_TOKEN,
        parameters: [batchId],
        responses: { '200': ok(S.BatchTasks, 'The subtasks'), ...failures(401, 404) },
      },
    },
    '/api/v1/mount/sync/batch/{batchId}/retry': {
      post: {
        operationId: 'retryBatch',
        summary: 'Retry failed subtasks (all of them without a body)',
        security: API_TOKEN,
        parameters: [batchId],
        requestBody: { required: false, content: json(RetryBody, 'input') },
        responses: {
          '200': ok(S.RetryResult, 'The retried subtasks'),
          ...failures(400, 401, 403, 404, 409, 415),
        },
      },
    },
    '/api/v1/mount/sync/batch/{batchId}/cancel': {
      post: {
        operationId: 'cancelBatch',
        summary: 'Cancel a batch',
        security: API_TOKEN,
        parameters: [batchId],
        responses: { '200': ok(S.BatchStatusView, 'The batch'), ...failures(401, 403, 404, 409) },
      },
    },
  };
}

function taskPaths() {
  const taskId = pathParam('taskId', 'e.g. task_20261204_153856_cd1a4f15');
  return {
    '/api/v1/mount/sync/tasks/{taskId}/progress/stream': {
      get: {
        operationId: 'streamTaskProgress',
        summary: 'Live progress of one subtask (Server-Sent Events)',
        security: API_TOKEN,
        parameters: [
          taskId,
          { name: 'serialNumber', in: 'query', required: false, schema: { type: 'string' } },
          {
            name: 'access_token',
            in: 'query',
            required: false,
            description: 'The API token, for a browser EventSource that cannot set headers',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description:
              'Events `progress`, then one `completed` or `failed`; each `data` is a ' +
              '#/components/schemas/ProgressEvent',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...failures(401, 404),
        },
      },
    },
    '/api/v1/mount/sync/tasks/{taskId}/cancel': {
      post: {
        operationId: 'cancelTask',
        summary: 'Cancel one subtask',
        security: API_TOKEN,
        parameters: [taskId],
        responses: { '200': ok(S.TaskView, 'The subtask'), ...failures(401, 403, 404, 409) },
      },
    },
  };
}

function otherApiPaths() {
  return {
    '/api/v1/mount/devices': {
      get: {
        operationId: 'listDevices',
        summary: 'Online devices (`all=true` adds those seen offline)',
        security: API_TOKEN,
        parameters: [{ name: 'all', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } }],
        responses: { '200': ok(S.DeviceList, 'The devices'), ...failures(401) },
      },
    },
    '/api/v1/meetings': {
      get: {
        operationId: 'listMeetings',
        summary: 'The meeting library',
        security: API_TOKEN,
        responses: { '200': ok(S.MeetingList, 'The meetings'), ...failures(401) },
      },
    },
  };
}

function agentPaths() {
  const meetingId = pathParam('meetingId', 'A meeting of the library');
  return {
    '/api/v1/agent/meetings/{meetingId}/manifest': {
      get: {
        operationId: 'getManifest',
        summary: "A meeting's files with size and sha256 (agents only)",
        security: AGENT,
        parameters: [meetingId, AGENT_ID],
        responses: { '200': ok(S.Manifest, 'The manifest'), ...failures(400, 401, 404) },
      },
    },
    '/api/v1/agent/meetings/{meetingId}/files/{path}': {
      get: {
        operationId: 'getMeetingFile',
        summary: 'The bytes of a file the manifest lists, honouring Range (agents only)',
        security: AGENT,
        parameters: [
          meetingId,
          pathParam('path', 'The file path relative to the meeting, each segment URL-encoded'),
          AGENT_ID,
          { name: 'Range', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The file', content: { 'application/octet-stream': {} } },
          '206': { description: 'The requested range', content: { 'application/octet-stream': {} } },
          '416': { description: 'Range not satisfiable' },
          ...failures(400, 401, 404),
        },
      },
    },
    '/api/v1/agent/meetings/{meetingId}/bundle': {
      post: {
        operationId: 'getMeetingFileBundle',
        summary:
          'Several files in one response (agents only): per path asked, a line with its size ' +
          '(or `-` when not served), then its bytes',
        security: AGENT,
        parameters: [meetingId, AGENT_ID],
        requestBody: { required: true, content: json(BundleRequest, 'input') },
        responses: {
          '200': { description: 'The files as frames', content: { 'application/octet-stream': {} } },
          ...failures(400, 401, 404),
        },
      },
    },
  };
}

function opsPaths() {
  return {
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness; no token needed',
        responses: { '200': { description: 'The process answers', content: json(S.Health) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness: connected to the broker and the store writable; no token needed',
        responses: {
          '200': { description: 'Ready', content: json(S.Readiness) },
          '503': { description: 'Not ready; `checks` says which failed', content: json(S.Readiness) },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus text format 0.0.4; no token needed',
        responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document; no token needed',
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
  };
}
