import { timingSafeEqual, createHash } from 'node:crypto';
import { ID_PATTERN } from '../../shared/ids.js';
import { TOPIC_ROOT, topics } from '../../shared/topics.js';

export const COORDINATOR_USERNAME = 'wst-coordinator';

export type BrokerIdentity = { role: 'coordinator' } | { role: 'agent'; agentId: string };

export interface BrokerSecrets {
  agentToken: string;
  coordinatorSecret: string;
}

/** Constant-time comparison of secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The client id an agent must connect with: it binds the MQTT session to the agent id. */
export function agentClientId(agentId: string): string {
  return `wst-agent-${agentId}`;
}

/** Who a connecting client is, or null when its credentials are not accepted. */
export function identify(
  clientId: string,
  username: string | undefined,
  password: string | undefined,
  secrets: BrokerSecrets,
): BrokerIdentity | null {
  if (username === undefined || password === undefined) return null;
  if (username === COORDINATOR_USERNAME) {
    return sameSecret(password, secrets.coordinatorSecret) ? { role: 'coordinator' } : null;
  }
  if (!ID_PATTERN.test(username) || clientId !== agentClientId(username)) return null;
  return sameSecret(password, secrets.agentToken) ? { role: 'agent', agentId: username } : null;
}

/** Agents publish only under their own prefix, and never onto their own command topic. */
export function mayPublish(identity: BrokerIdentity, topic: string): boolean {
  if (identity.role === 'coordinator') return true;
  const own = `${TOPIC_ROOT}/${identity.agentId}/`;
  return topic.startsWith(own) && topic !== topics.commands(identity.agentId);
}

/** Agents subscribe only to their own command topic. */
export function maySubscribe(identity: BrokerIdentity, topic: string): boolean {
  if (identity.role === 'coordinator') return true;
  return topic === topics.commands(identity.agentId);
}
