import type { Command } from '../../shared/messages.js';

/** The one thing the coordinator needs from its broker connection to command agents. */
export interface CommandChannel {
  sendCommand(agentId: string, command: Command): void;
}
