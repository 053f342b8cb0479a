/**
 * The public HTTP API, as a frontend calls it. Every answer is `{code: 200, data}` or
 * `{code, message}`; failures become `ApiError` with the server's message.
 */
import { t } from './i18n.js';
import { getToken, tokenRejected } from './token.js';

const BATCH = 'api/v1/mount/sync/batch';
const TASKS = 'api/v1/mount/sync/tasks';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the coordinator could not be reached
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Headers every call carries: the API token, when this tab has one.
 *
 * @returns {Record<string, string>}
 */
export function authHeaders() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * @param {string} path relative to the page, so a reverse proxy may serve it below a prefix
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<any>} the envelope's `data`
 */
async function call(path, { method = 'GET', body } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response;
  try {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    response = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, t('common.network'));
  }

  const envelope = await response.json().catch(() => null);
  const message =
    typeof envelope?.message === 'string' ? envelope.message : `HTTP ${response.status}`;
  if (response.status === 401) tokenRejected(message);
  if (!response.ok || envelope?.code !== 200) throw new ApiError(response.status, message);
  return envelope.data;
}

const enc = encodeURIComponent;

/** @param {number} page @param {number} pageSize */
export const listBatches = (page, pageSize) =>
  call(`${BATCH}?${new URLSearchParams({ page: String(page), pageSize: String(pageSize) })}`);

/** @param {{ meetingIds: string[], serialNumbers: string[] }} body */
export const createBatch = (body) => call(BATCH, { method: 'POST', body });

/** Counts and status; its times are Unix seconds. @param {string} batchId */
export const getStatus = (batchId) => call(`${BATCH}/${enc(batchId)}/status`);

/** Every subtask; its times are ISO-8601. @param {string} batchId */
export const getTasks = (batchId) => call(`${BATCH}/${enc(batchId)}/tasks`);

/**
 * Retries the listed failed subtasks, or every failed one when `tasks` is left out.
 *
 * @param {string} batchId
 * @param {{ meetingId: string, serialNumber: string }[]} [tasks]
 */
export const retryBatch = (batchId, tasks) =>
  call(`${BATCH}/${enc(batchId)}/retry`, { method: 'POST', body: tasks && { tasks } });

/** @param {string} batchId */
export const cancelBatch = (batchId) => call(`${BATCH}/${enc(batchId)}/cancel`, { method: 'POST' });

/** @param {string} taskId */
export const cancelTask = (taskId) => call(`${TASKS}/${enc(taskId)}/cancel`, { method: 'POST' });

export const listMeetings = () => call('api/v1/meetings');

/** @param {boolean} [all] also the devices seen offline */
export const listDevices = (all = false) => call(`api/v1/mount/devices${all ? '?all=true' : ''}`);

/** The SSE stream of one subtask. @param {string} taskId @param {string} serialNumber */
export const progressStreamUrl = (taskId, serialNumber) =>
  `${TASKS}/${enc(taskId)}/progress/stream?${new URLSearchParams({ serialNumber })}`;
