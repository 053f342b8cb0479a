import { createHash, timingSafeEqual } from 'node:crypto';
import { ID_PATTERN } from '../../shared/ids.js';
import { TOPIC_ROOT, topics } from '../../shared/topics.js';
import type { AgentCredentials } from '../agents/agent-credentials.js';

export const COORDINATOR_USERNAME = 'wst-coordinator';
export const COORDINATOR_CLIENT_ID = 'wst-coordinator';
const AGENT_CLIENT_PREFIX = 'wst-agent-';

export type BrokerIdentity =
  | { role: 'coordinator' }
  | { role: 'diagnostics' }
  | { role: 'agent'; agentId: string };

export interface BrokerSecrets {
  /** The shared agent token; `undefined` when only per-agent tokens are accepted. */
  agentToken?: string;
  coordinatorSecret: string;
  credentials?: AgentCredentials;
  /** A read-only account for MQTT tools. */
  diagnostics?: { username: string; password: string };
}

/** Constant-time comparison of secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The client id an agent must connect with: it binds the MQTT session to the agent id. */
export function agentClientId(agentId: string): string {
  return `${AGENT_CLIENT_PREFIX}${agentId}`;
}

export type Identification = { ok: true; identity: BrokerIdentity } | { ok: false; reason: string };

/**
 * Whether an agent may use this token: its own token when it is listed in the credentials file
 * (never when revoked), otherwise the shared agent token if one is accepted.
 */
export function agentTokenAccepted(
  agentId: string,
  token: string,
  secrets: Pick<BrokerSecrets, 'agentToken' | 'credentials'>,
): { ok: true } | { ok: false; reason: string } {
  const check = secrets.credentials?.check(agentId, token) ?? 'unknown';
  if (check === 'ok') return { ok: true };
  if (check === 'revoked') return { ok: false, reason: 'agent revoked' };
  if (check === 'wrong-token') return { ok: false, reason: 'wrong token for this agent' };
  if (secrets.agentToken !== undefined && sameSecret(token, secrets.agentToken)) return { ok: true };
  return { ok: false, reason: 'unknown agent or wrong token' };
}

/** Who a connecting client is, or why its credentials are not accepted. */
export function identify(
  clientId: string,
  username: string | undefined,
  password: string | undefined,
  secrets: BrokerSecrets,
): Identification {
  if (username === undefined || password === undefined) {
    return { ok: false, reason: 'no user name or password' };
  }
  if (username === COORDINATOR_USERNAME) {
    if (clientId !== COORDINATOR_CLIENT_ID) {
      return { ok: false, reason: `client id must be ${COORDINATOR_CLIENT_ID}` };
    }
    return sameSecret(password, secrets.coordinatorSecret)
      ? { ok: true, identity: { role: 'coordinator' } }
      : { ok: false, reason: 'wrong coordinator secret' };
  }
  const diagnostics = secrets.diagnostics;
  if (diagnostics && username === diagnostics.username) {
    // Taking an agent's or the coordinator's client id would take over its session.
    if (clientId.startsWith(AGENT_CLIENT_PREFIX) || clientId === COORDINATOR_CLIENT_ID) {
      return { ok: false, reason: `client id ${clientId} is reserved` };
    }
    return sameSecret(password, diagnostics.password)
      ? { ok: true, identity: { role: 'diagnostics' } }
      : { ok: false, reason: 'wrong diagnostics password' };
  }
  if (!ID_PATTERN.test(username)) return { ok: false, reason: 'user name is not an agent id' };
  if (clientId !== agentClientId(username)) {
    return { ok: false, reason: `client id must be ${agentClientId(username)}` };
  }
  const accepted = agentTokenAccepted(username, password, secrets);
  return accepted.ok ? { ok: true, identity: { role: 'agent', agentId: username } } : accepted;
}

/** Agents publish only under their own prefix, never onto their command topic; tools never. */
export function mayPublish(identity: BrokerIdentity, topic: string): boolean {
  if (identity.role === 'coordinator') return true;
  if (identity.role === 'diagnostics') return false;
  const own = `${TOPIC_ROOT}/${identity.agentId}/`;
  return topic.startsWith(own) && topic !== topics.commands(identity.agentId);
}

/** Agents subscribe only to their own command topic; the diagnostics account to `wst/v1/#`. */
export function maySubscribe(identity: BrokerIdentity, topic: string): boolean {
  if (identity.role === 'coordinator') return true;
  if (identity.role === 'diagnostics') return topic === 'wst/v1/#' || topic.startsWith('wst/v1/');
  return topic === topics.commands(identity.agentId);
}
