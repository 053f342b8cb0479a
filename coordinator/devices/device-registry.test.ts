import { describe, expect, it } from 'vitest';
import { DeviceRegistry } from './device-registry.js';

const status = (online: boolean, at: number, devices: string[] = [], session = 's1') => ({
  agentId: 'a1',
  online,
  devices,
  at,
  session,
});
const presence = (serialNumber: string, at: number) => ({ serialNumber, online: true, at });

describe('DeviceRegistry', () => {
  it('ignores the late will of a connection the agent has already replaced', () => {
    const registry = new DeviceRegistry();
    registry.updateAgent('a1', status(true, 2000, ['D1'], 'new'), 10);
    registry.updateDevice('a1', presence('D1', 2000));

    const late = registry.updateAgent('a1', status(false, 1000, [], 'old'), 20);

    expect(late).toEqual({ stale: true, cameOnline: false });
    expect(registry.onlineAgentFor('D1')).toBe('a1');
  });

  it('takes the will of the current connection, however old its timestamp', () => {
    const registry = new DeviceRegistry();
    registry.updateAgent('a1', status(true, 5000, ['D1'], 'now'), 10);
    registry.updateDevice('a1', presence('D1', 5000));

    const will = registry.updateAgent('a1', status(false, 1000, [], 'now'), 20);

    expect(will).toEqual({ stale: false, cameOnline: false });
    expect(registry.onlineAgentFor('D1')).toBeUndefined();
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
