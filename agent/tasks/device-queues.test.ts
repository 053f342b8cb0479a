import { describe, expect, it } from 'vitest';
import { DeviceQueues } from './device-queues.js';

describe('DeviceQueues', () => {
  it('runs one task at a time per device, in order, and devices in parallel', () => {
    const queues = new DeviceQueues();
    queues.enqueue('A', 't1');
    queues.enqueue('A', 't2');
    queues.enqueue('B', 't3');
    queues.setOnline('A', true);
    queues.setOnline('B', true);

    expect(queues.next()).toEqual([
      { serialNumber: 'A', taskId: 't1' },
      { serialNumber: 'B', taskId: 't3' },
    ]);
    expect(queues.next()).toEqual([]);

    queues.finish('A', 't1');
    expect(queues.next()).toEqual([{ serialNumber: 'A', taskId: 't2' }]);
  });

  it('keeps tasks of an offline device waiting until it comes online', () => {
    const queues = new DeviceQueues();
    queues.enqueue('A', 't1');

    expect(queues.next()).toEqual([]);
    queues.setOnline('A', true);
    expect(queues.next()).toEqual([{ serialNumber: 'A', taskId: 't1' }]);
  });

  it('removes a waiting task and ignores duplicates', () => {
    const queues = new DeviceQueues();
    queues.enqueue('A', 't1');
    queues.enqueue('A', 't1');
    queues.enqueue('A', 't2');

    expect(queues.remove('A', 't1')).toBe(true);
    expect(queues.remove('A', 't1')).toBe(false);
    queues.setOnline('A', true);
    expect(queues.next()).toEqual([{ serialNumber: 'A', taskId: 't2' }]);
    expect(queues.running('A')).toBe('t2');
  });

  it('starts at most maxRunning copies across devices, and the next as one ends', () => {
    const queues = new DeviceQueues(2);
    for (const serial of ['A', 'B', 'C']) {
      queues.setOnline(serial, true);
      queues.enqueue(serial, `t-${serial}`);
    }

    expect(queues.next().map((s) => s.taskId)).toEqual(['t-A', 't-B']);
    expect(queues.next()).toEqual([]);
    queues.finish('A', 't-A');
    expect(queues.next().map((s) => s.taskId)).toEqual(['t-C']);
  });
});
