import { allCreated, createBatch, paths, pollStatus, waitForDevices } from '../lib/batch-api.js';
import { launchCoordinator } from '../lib/coordinator.js';
import { Fleet } from '../lib/fleet.js';
import { HttpClient } from '../lib/http-client.js';
import { makeTinyMeetings } from '../lib/meetings.js';
import { row } from '../lib/report.js';
import { shuffled, sleep, summarise } from '../lib/stats.js';
import { fleetSpec, type Behaviour } from '../sim/behaviour.js';
import type { Scenario } from './scenario.js';

/** Like real agents: one copy per device at a time, progress every 200 ms, 1 s per copy. */
const DEVICE_QUEUES: Behaviour = { perDevice: 1, runMs: 1000, progressMs: 200 };
const STATUS_PAIRS = 400;
const TASKS_PAIRS = 30;

/**
 * GET status and GET tasks of a running 10,000-subtask batch, each request paired with the same
 * request for a running 10-subtask batch on the same coordinator at the same moment (shuffled
 * order), so the load — 100 copies running, 500 progress messages a second — is alike for both.
 */
export const statusUnderLoad: Scenario = {
  name: 'status under load',
  async run() {
    const coordinator = await launchCoordinator();
    const client = new HttpClient(coordinator.httpUrl);
    let fleet: Fleet | undefined;
    try {
      const meetingIds = await makeTinyMeetings(coordinator.meetingsDir, 100);
      const specs = fleetSpec(20, 5);
      const serialNumbers = specs.flatMap((s) => s.serialNumbers);
      ({ fleet } = await Fleet.start(coordinator.mqttUrl, coordinator.token, specs, DEVICE_QUEUES));
      await waitForDevices(client, serialNumbers.length);

      const big = (await createBatch(client, meetingIds, serialNumbers)).batchId;
      await pollStatus(client, big, allCreated, { intervalMs: 50 });
      const small = (await createBatch(client, meetingIds.slice(0, 1), serialNumbers.slice(0, 10))).batchId;
      await pollStatus(client, small, allCreated, { intervalMs: 50 });
      await sleep(1000);

      const measure = async (pairs: number, path: (id: string) => string, gapMs: number) => {
        const samples = { [big]: [] as number[], [small]: [] as number[] };
        for (let i = 0; i < pairs; i++) {
          for (const batchId of shuffled([big, small])) {
            const response = await client.get(path(batchId));
            if (response.status !== 200) throw new Error(`${path(batchId)}: HTTP ${response.status}`);
            samples[batchId]!.push(response.ms);
          }
          await sleep(gapMs);
        }
        return { big: summarise(samples[big]!), small: summarise(samples[small]!) };
      };
      const status = await measure(STATUS_PAIRS, paths.status, 5);
      const tasks = await measure(TASKS_PAIRS, paths.tasks, 20);
      const still = await pollStatus(client, big, () => true);
      if (still.status.status !== 'running') throw new Error(`batch no longer running: ${still.status.status}`);

      const ratio = status.big.p99 / status.small.p99;
      const rows = [
        row({
          scenario: 'status under load',
          figure: 'GET status p99, 10,000-subtask batch',
          value: status.big.p99,
          unit: 'ms',
          baseline: { label: '10-subtask batch', value: status.small.p99 },
          target: '< 5 ms and ≤ 1.5×',
          met: status.big.p99 < 5 && ratio <= 1.5,
          note: `p50 ${status.big.p50.toFixed(2)} vs ${status.small.p50.toFixed(2)} ms; max ${status.big.max.toFixed(1)} vs ${status.small.max.toFixed(1)} ms; ${STATUS_PAIRS} pairs`,
        }),
        row({
          scenario: 'status under load',
          figure: 'GET tasks p99, 10,000-subtask batch',
          value: tasks.big.p99,
          unit: 'ms',
          baseline: { label: '10-subtask batch', value: tasks.small.p99 },
          note: `p50 ${tasks.big.p50.toFixed(1)} vs ${tasks.small.p50.toFixed(2)} ms; ${TASKS_PAIRS} pairs; O(n) by design (the whole list)`,
        }),
      ];
      return { rows, details: { status, tasks, progressSent: (await fleet.counts()).progress } };
    } finally {
      client.close();
      await fleet?.stop();
      await coordinator.stop();
    }
  },
};
