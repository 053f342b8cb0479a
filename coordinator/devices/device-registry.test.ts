import { describe, expect, it } from 'vitest';
import { DeviceRegistry } from './device-registry.js';

const status = (online: boolean, at: number, devices: string[] = []) => ({
  agentId: 'a1',
  online,
  devices,
  at,
});
const presence = (serialNumber: string, at: number) => ({ serialNumber, online: true, at });

describe('DeviceRegistry', () => {
  it('ignores the late will of a session the agent has already replaced', () => {
    const registry = new DeviceRegistry();
    registry.updateAgent('a1', status(true, 2000, ['D1']), 10);
    registry.updateDevice('a1', presence('D1', 2000));

    const late = registry.updateAgent('a1', status(false, 1000), 20);

    expect(late).toEqual({ stale: true, cameOnline: false });
    expect(registry.onlineAgentFor('D1')).toBe('a1');
  });

  it('marks an agent and its devices offline once it misses its heartbeats', () => {
    const registry = new DeviceRegistry();
    registry.updateAgent('a1', status(true, 1, ['D1']), 0);
    registry.updateDevice('a1', presence('D1', 1));
    registry.heard('a1', 50_000);

    expect(registry.expireSilent(100_000, 60_000)).toEqual([]);
    expect(registry.expireSilent(111_000, 60_000)).toEqual(['a1']);
    expect(registry.onlineAgentFor('D1')).toBeUndefined();
    expect(registry.agentOnline('a1')).toBe(false);
  });

  it('brings an agent back online with a newer status after it expired', () => {
    const registry = new DeviceRegistry();
    registry.updateAgent('a1', status(true, 1), 0);
    registry.expireSilent(100_000, 60_000);

    expect(registry.updateAgent('a1', status(true, 2), 100_001)).toEqual({
      stale: false,
      cameOnline: true,
    });
  });
});
