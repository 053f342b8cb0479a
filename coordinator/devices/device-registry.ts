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
  /** The agent's own clock, from its last status. */
  updatedAt: number;
  /** The coordinator's clock, when anything was last heard from the agent. */
  heardAt: number;
  /** The agent connection that last said it is online. */
  session?: string;
}

/** Which devices are online, on which agent, as the agents' presence messages say. */
export class DeviceRegistry {
  readonly #devices = new Map<string, DeviceInfo>();
  readonly #agents = new Map<string, AgentInfo>();

  /**
   * Records an agent's status and says whether it was stale or brought the agent online. An
   * offline status from another connection than the one that last said online is stale: the will
   * of a connection the agent has since replaced can arrive after the new one said it is online.
   */
  updateAgent(
    agentId: string,
    status: AgentStatus,
    now = Date.now(),
  ): { stale: boolean; cameOnline: boolean } {
    const known = this.#agents.get(agentId);
    const otherSession = known?.session && status.session && status.session !== known.session;
    if (!status.online && known?.online && otherSession) return { stale: true, cameOnline: false };
    const wasOnline = known?.online ?? false;
    this.#agents.set(agentId, {
      agentId,
      online: status.online,
      version: status.version,
      updatedAt: status.at,
      heardAt: now,
      session: status.session,
    });

    const listed = new Set(status.online ? status.devices : []);
    for (const device of this.#devices.values()) {
      if (device.agentId === agentId && device.online && !listed.has(device.serialNumber)) {
        device.online = false;
      }
    }
    return { stale: false, cameOnline: status.online && !wasOnline };
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

  /** Drops a device its agent has forgotten (retained presence cleared). */
  forgetDevice(agentId: string, serialNumber: string): void {
    if (this.#devices.get(serialNumber)?.agentId === agentId) this.#devices.delete(serialNumber);
  }

  /** Drops an agent and its devices (revoked for good). */
  forgetAgent(agentId: string): string[] {
    const serials = [...this.#devices.values()]
      .filter((d) => d.agentId === agentId)
      .map((d) => d.serialNumber);
    for (const serial of serials) this.#devices.delete(serial);
    this.#agents.delete(agentId);
    return serials;
  }

  /** Notes that an agent was heard from (any message); it counts as a heartbeat. */
  heard(agentId: string, now = Date.now()): void {
    const agent = this.#agents.get(agentId);
    if (agent) agent.heardAt = now;
  }

  /** Marks online agents not heard from for `timeoutMs` offline, with their devices; their ids. */
  expireSilent(now: number, timeoutMs: number): string[] {
    const expired: string[] = [];
    for (const agent of this.#agents.values()) {
      if (!agent.online || now - agent.heardAt < timeoutMs) continue;
      agent.online = false;
      for (const device of this.#devices.values()) {
        if (device.agentId === agent.agentId) device.online = false;
      }
      expired.push(agent.agentId);
    }
    return expired;
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
