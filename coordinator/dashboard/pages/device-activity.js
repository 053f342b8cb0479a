import { getTasks, listBatches } from '../api.js';

/** How many of the newest batches are looked at; older open batches are rare and not shown. */
export const RECENT_BATCHES = 20;

/**
 * @typedef {{ running: { batchId: string, meetingId: string, taskId?: string, percent: number }[], waiting: number }} DeviceActivity
 */

/**
 * What each device is syncing right now, from the public API alone: the subtasks of those of
 * the newest batches that still have running or pending subtasks. Ended batches cost nothing.
 *
 * @returns {Promise<Map<string, DeviceActivity>>} serial number → activity
 */
export async function deviceActivity() {
  const { tasks: batches } = await listBatches(1, RECENT_BATCHES);
  const open = batches.filter(
    (/** @type {any} */ b) => (b.statusCounts?.running ?? 0) + (b.statusCounts?.pending ?? 0) > 0,
  );
  const lists = await Promise.all(
    open.map(async (/** @type {any} */ b) => ({
      batchId: b.batchId,
      tasks: (await getTasks(b.batchId)).tasks,
    })),
  );

  /** @type {Map<string, DeviceActivity>} */
  const bySerial = new Map();
  for (const { batchId, tasks } of lists) {
    for (const task of tasks) {
      if (task.status !== 'running' && task.status !== 'pending') continue;
      const entry = bySerial.get(task.serialNumber) ?? { running: [], waiting: 0 };
      if (task.status === 'running') {
        entry.running.push({
          batchId,
          meetingId: task.meetingId,
          taskId: task.taskId,
          percent: task.percent ?? 0,
        });
      } else {
        entry.waiting++;
      }
      bySerial.set(task.serialNumber, entry);
    }
  }
  return bySerial;
}
