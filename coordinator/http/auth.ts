import type { MiddlewareHandler } from 'hono';
import { AGENT_ID_HEADER } from '../../shared/agent-api.js';
import { ID_PATTERN } from '../../shared/ids.js';
import { sameSecret } from '../broker/broker-access.js';
import { ApiError } from './api-error.js';

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  return match?.[1];
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
