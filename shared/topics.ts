/**
 * MQTT topic layout. Everything an agent publishes lives under its own prefix so that
 * one ACL rule (`wst/v1/agents/<own id>/#`) keeps agents apart.
 */
export const TOPIC_ROOT = 'wst/v1/agents';

export const topics = {
  agentStatus: (agentId: string) => `${TOPIC_ROOT}/${agentId}/status`,
  device: (agentId: string, serialNumber: string) =>
    `${TOPIC_ROOT}/${agentId}/devices/${serialNumber}`,
  commands: (agentId: string) => `${TOPIC_ROOT}/${agentId}/commands`,
  taskState: (agentId: string, taskId: string) => `${TOPIC_ROOT}/${agentId}/tasks/${taskId}/state`,
  taskProgress: (agentId: string, taskId: string) =>
    `${TOPIC_ROOT}/${agentId}/tasks/${taskId}/progress`,
};

/** Subscriptions the coordinator holds to hear every agent. */
export const coordinatorSubscriptions = [
  `${TOPIC_ROOT}/+/status`,
  `${TOPIC_ROOT}/+/devices/+`,
  `${TOPIC_ROOT}/+/tasks/+/state`,
  `${TOPIC_ROOT}/+/tasks/+/progress`,
];

export type ParsedTopic =
  | { kind: 'status'; agentId: string }
  | { kind: 'device'; agentId: string; serialNumber: string }
  | { kind: 'commands'; agentId: string }
  | { kind: 'state'; agentId: string; taskId: string }
  | { kind: 'progress'; agentId: string; taskId: string };

/** Reads a topic back into its parts; `null` for anything outside the layout. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return null;

  const agentId = parts[3]!;
  const rest = parts.slice(4);
  if (rest.length === 1 && rest[0] === 'status') return { kind: 'status', agentId };
  if (rest.length === 1 && rest[0] === 'commands') return { kind: 'commands', agentId };
  if (rest.length === 2 && rest[0] === 'devices') {
    return { kind: 'device', agentId, serialNumber: rest[1]! };
  }
  if (rest.length === 3 && rest[0] === 'tasks' && rest[2] === 'state') {
    return { kind: 'state', agentId, taskId: rest[1]! };
  }
  if (rest.length === 3 && rest[0] === 'tasks' && rest[2] === 'progress') {
    return { kind: 'progress', agentId, taskId: rest[1]! };
  }
  return null;
}
