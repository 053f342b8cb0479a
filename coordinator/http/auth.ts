import type { MiddlewareHandler } from 'hono';
import { AGENT_ID_HEADER } from '../../shared/agent-api.js';
import { ID_PATTERN } from '../../shared/ids.js';
import type { AgentCredentials } from '../agents/agent-credentials.js';
import { agentTokenAccepted, sameSecret } from '../broker/broker-access.js';
import { ApiError } from './api-error.js';

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Guards state-changing calls against cross-site requests from a browser: a POST from another
 * origin is refused, and a body must be declared JSON (an HTML form cannot do that).
 */
export function refuseCrossSite(allowedOrigins: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();

    const origin = c.req.header('origin');
    const sameSite = origin === undefined || hostOf(origin) === c.req.header('host');
    if (!sameSite && !allowedOrigins.includes(normalOrigin(origin))) {
      throw new ApiError(403, `requests from origin ${origin} are not allowed`);
    }
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding');
    if (hasBody && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new ApiError(415, 'request body must be sent as Content-Type: application/json');
    }
    await next();
  };
}

/** `https://a.example:443` and `https://a.example` are one origin. */
export function normalOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Requires `Authorization: Bearer <token>` when an API token is configured. A progress stream may
 * pass it as `?access_token=` instead, since a browser's EventSource cannot set headers.
 */
export function requireApiToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token !== undefined) {
      const stream = c.req.method === 'GET' && c.req.path.endsWith('/progress/stream');
      const given =
        bearerOf(c.req.header('authorization')) ?? (stream ? c.req.query('access_token') : undefined);
      if (given === undefined || !sameSecret(given, token)) {
        throw new ApiError(401, 'missing or wrong API token (Authorization: Bearer <token>)');
      }
    }
    await next();
  };
}

/** The agent file endpoints: a well-formed agent id and a token that agent may use. */
export function requireAgent(secrets: {
  agentToken?: string;
  credentials: AgentCredentials;
}): MiddlewareHandler {
  return async (c, next) => {
    const agentId = c.req.header(AGENT_ID_HEADER) ?? '';
    if (!ID_PATTERN.test(agentId)) {
      throw new ApiError(400, `header ${AGENT_ID_HEADER} must name the agent`);
    }
    const given = bearerOf(c.req.header('authorization'));
    if (given === undefined || !agentTokenAccepted(agentId, given, secrets).ok) {
      throw new ApiError(401, 'missing or wrong agent token');
    }
    await next();
  };
}
