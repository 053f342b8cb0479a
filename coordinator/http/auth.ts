import type { MiddlewareHandler } from 'hono';
import { AGENT_ID_HEADER } from '../../shared/agent-api.js';
import { ID_PATTERN } from '../../shared/ids.js';
import { sameSecret } from '../broker/broker-access.js';
import { ApiError } from './api-error.js';

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Guards state-changing calls against cross-site requests from a browser: a POST from another
 * origin is refused, and a body must be declared JSON (an HTML form cannot do that).
 */
export function refuseCrossSite(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();

    const origin = c.req.header('origin');
    if (origin !== undefined && hostOf(origin) !== c.req.header('host')) {
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

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Requires `Authorization: Bearer <token>` when an API token is configured. */
export function requireApiToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token !== undefined) {
      const given = bearerOf(c.req.header('authorization'));
      if (given === undefined || !sameSecret(given, token)) {
        throw new ApiError(401, 'missing or wrong API token (Authorization: Bearer <token>)');
      }
    }
    await next();
  };
}

/** The agent file endpoints: the agent token and a well-formed agent id. */
export function requireAgent(agentToken: string): MiddlewareHandler {
  return async (c, next) => {
    const given = bearerOf(c.req.header('authorization'));
    if (given === undefined || !sameSecret(given, agentToken)) {
      throw new ApiError(401, 'missing or wrong agent token');
    }
    if (!ID_PATTERN.test(c.req.header(AGENT_ID_HEADER) ?? '')) {
      throw new ApiError(400, `header ${AGENT_ID_HEADER} must name the agent`);
    }
    await next();
  };
}
