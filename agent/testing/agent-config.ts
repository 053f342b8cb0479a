import type { AgentConfig } from '../config.js';

/**
 * The settings an in-process test agent runs with: no grace, no bandwidth limit, fast progress.
 * Tests name only what they are about.
 */
export function testAgentConfig(
  where: Pick<AgentConfig, 'mqttUrl' | 'coordinatorUrl' | 'agentId' | 'dataDir' | 'mountRoot'>,
  overrides: Partial<AgentConfig> = {},
): AgentConfig {
  return {
    token: 'agent-secret',
    progressIntervalMs: 200,
    copyBwlimit: 0,
    deviceGraceMs: 0,
    maxParallelCopies: 2,
    heartbeatMs: 15_000,
    ...where,
    ...overrides,
  };
}
