import { describe, expect, it } from 'vitest';
import { DeviceReturnWaiter } from './device-return.js';

function waiter(graceMs: number, present: Set<string>, clock = { now: 0 }) {
  let confirms = 0;
  const device = new DeviceReturnWaiter({
    graceMs,
    isPresent: (serialNumber) => present.has(serialNumber),
    confirm: async () => void confirms++,
    now: () => clock.now,
  });
  return { device, confirms: () => confirms };
}

describe('DeviceReturnWaiter', () => {
  it('resolves true when the same serial number is added again within the grace', async () => {
    const present = new Set<string>();
    const { device, confirms } = waiter(5_000, present);

    const back = device.wait('S1', new AbortController().signal);
    await Promise.resolve();
    device.deviceOnline('S2');
    present.add('S1');
    device.deviceOnline('S1');

    expect(await back).toBe(true);
    expect(confirms()).toBe(1);
  });

  it('resolves false when the grace runs out', async () => {
    const { device } = waiter(30, new Set());
    expect(await device.wait('S1', new AbortController().signal)).toBe(false);
  });

  it('rejects with the abort reason on cancel or stop', async () => {
    const { device } = waiter(5_000, new Set());
    const controller = new AbortController();
    const back = device.wait('S1', controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(back).rejects.toThrow('cancelled');
  });

  it('counts a loss soon after a return as part of the earlier one, so the grace cannot restart forever', async () => {
    const clock = { now: 0 };
    const present = new Set(['S1']);
    const { device } = waiter(1_000, present, clock);

    expect(await device.wait('S1', new AbortController().signal)).toBe(true);
    clock.now = 990; // lost again 990 ms after it came back: the grace that began at 0 goes on
    present.delete('S1');
    const started = Date.now();
    expect(await device.wait('S1', new AbortController().signal)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);

    clock.now = 10_000; // a new loss long after: a fresh grace
    present.add('S1');
    expect(await device.wait('S1', new AbortController().signal)).toBe(true);
  });
});
