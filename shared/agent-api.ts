/**
 * The coordinator's endpoints that agents pull meeting files from. Agents authenticate with
 * `Authorization: Bearer <agent token>` and name themselves in `X-WST-Agent-Id`.
 */
export const AGENT_ID_HEADER = 'x-wst-agent-id';

export const agentApi = {
  manifest: (meetingId: string) => `/api/v1/agent/meetings/${encodeURIComponent(meetingId)}/manifest`,
  /** Each path segment is URL-encoded; the endpoint honours `Range: bytes=start-`. */
  file: (meetingId: string, relativePath: string) =>
    `/api/v1/agent/meetings/${encodeURIComponent(meetingId)}/files/` +
    relativePath.split('/').map(encodeURIComponent).join('/'),
  /** POST `{"files": [paths]}`: the bytes of several files in one response (see bundle-frames). */
  bundle: (meetingId: string) => `/api/v1/agent/meetings/${encodeURIComponent(meetingId)}/bundle`,
};

/** Log lines (pino `msg`) that mark a process as ready; test harnesses and scripts wait for them. */
export const READY_MESSAGES = {
  coordinator: 'coordinator ready',
  agent: 'agent ready',
} as const;
