import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { AGENT_ID_HEADER } from '../../shared/agent-api.js';

/** Where and as whom an agent pulls meeting files. */
export interface CoordinatorEndpoint {
  baseUrl: string;
  agentId: string;
  token: string;
}

/**
 * Starts a GET against the coordinator with the agent's credentials and resolves with the
 * response once its headers arrive; the body is left unread for the caller to stream.
 */
export function coordinatorGet(
  endpoint: CoordinatorEndpoint,
  apiPath: string,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): Promise<IncomingMessage> {
  return coordinatorRequest(endpoint, apiPath, { signal, headers });
}

/** `coordinatorGet` for a POST of a JSON body. */
export function coordinatorPost(
  endpoint: CoordinatorEndpoint,
  apiPath: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const headers = { 'content-type': 'application/json' };
  return coordinatorRequest(endpoint, apiPath, { signal, headers, body: JSON.stringify(body) });
}

function coordinatorRequest(
  endpoint: CoordinatorEndpoint,
  apiPath: string,
  options: { signal?: AbortSignal; headers: Record<string, string>; body?: string },
): Promise<IncomingMessage> {
  const url = new URL(endpoint.baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + apiPath;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: options.body === undefined ? 'GET' : 'POST',
      signal: options.signal,
      headers: {
        ...options.headers,
        authorization: `Bearer ${endpoint.token}`,
        [AGENT_ID_HEADER]: endpoint.agentId,
      },
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end(options.body);
  });
}

/** Reads a whole (small) response body as text. */
export async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
