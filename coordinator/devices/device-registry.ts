import type { AgentStatus, DevicePresence } from '../../shared/messages.js';

export interface DeviceInfo {
  serialNumber: string;
  agentId: string;
  online: boolean;
  mountPath?: string;
  freeBytes?: number;
  totalBytes?: number;
  fsType?: string;
  /** epoch ms of the last presence message */
  updatedAt: number;
}

export interface AgentInfo {
  agentId: string;
  online: boolean;
  version?: string;
  updatedAt: number;
}

/** Which devices are online, on which agent, as the agents' presence messages say. */
export class DeviceRegistry {
  readonly #devices = new Map<string, DeviceInfo>();
  readonly #agents = new Map<string, AgentInfo>();

  /** Records an agent's status; returns true when the agent has just come online. */
  updateAgent(agentId: string, status: AgentStatus): boolean {
    const wasOnline = this.#agents.get(agentId)?.online ?? false;
    this.#agents.set(agentId, {
      agentId,
      online: status.online,
      version: status.version,
      updatedAt: status.at,
    });

    const listed = new Set(status.online ? status.devices : []);
    for (const device of this.#devices.values()) {
      if (device.agentId === agentId && device.online && !listed.has(device.serialNumber)) {
        device.online = false;
      }
    }
    return status.online && !wasOnline;
  }

  updateDevice(agentId: string, presence: DevicePresence): void {
    const current = this.#devices.get(presence.serialNumber);
    // A device seen online on another agent keeps that agent until it goes offline there.
    if (current?.online && current.agentId !== agentId && !presence.online) return;
    this.#devices.set(presence.serialNumber, {
      serialNumber: presence.serialNumber,
      agentId,
      online: presence.online && (this.#agents.get(agentId)?.online ?? true),
      mountPath: presence.mountPath,
      freeBytes: presence.freeBytes,
      totalBytes: presence.totalBytes,
      fsType: presence.fsType,
      updatedAt: presence.at,
    });
  }

  device(serialNumber: string): DeviceInfo | undefined {
    return this.#devices.get(serialNumber);
  }

  /** The agent a device is online on, or undefined when it is not online anywhere. */
  onlineAgentFor(serialNumber: string): string | undefined {
    const device = this.#devices.get(serialNumber);
    return device?.online ? device.agentId : undefined;
  }

  agentOnline(agentId: string): boolean {
    return this.#agents.get(agentId)?.online ?? false;
  }

  devices(): DeviceInfo[] {
    return [...this.#devices.values()].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  }

  agents(): AgentInfo[] {
    return [...this.#agents.values()];
  }
}
