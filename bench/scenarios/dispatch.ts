import { performance } from 'node:perf_hooks';
import type { BareReply, BareRequest } from '../baseline/bare-dispatch-process.js';
import { createBatch, getStatus, waitForDevices } from '../lib/batch-api.js';
import { BenchChild } from '../lib/child.js';
import { launchCoordinator } from '../lib/coordinator.js';
import { Fleet } from '../lib/fleet.js';
import { HttpClient } from '../lib/http-client.js';
import { makeTinyMeetings } from '../lib/meetings.js';
import { row } from '../lib/report.js';
import { median, sleep } from '../lib/stats.js';
import { fleetSpec, INSTANT } from '../sim/behaviour.js';
import type { Scenario } from './scenario.js';

const ROUNDS = 3;
const TARGET_MS = 5_000;

interface Timings {
  /** POST sent to every subtask created. */
  createdMs: number;
  /** POST sent to every subtask completed. */
  completedMs: number;
}

/**
 * 100 meetings × 100 devices on 20 simulated agents that answer at once: POST to all 10,000
 * `completed`. Baseline: the same 10,000 sync commands and 30,000 state messages through a bare
 * aedes broker with a client that does nothing else.
 */
export const dispatch: Scenario = {
  name: 'dispatch',
  async run({ log }) {
    const coordinator = await launchCoordinator();
    const client = new HttpClient(coordinator.httpUrl);
    const bare = new BenchChild<BareRequest, BareReply>('baseline/bare-dispatch-process.ts');
    const fleets: Fleet[] = [];
    try {
      const meetingIds = await makeTinyMeetings(coordinator.meetingsDir, 100);
      const specs = fleetSpec(20, 5);
      const serialNumbers = specs.flatMap((s) => s.serialNumbers);
      fleets.push((await Fleet.start(coordinator.mqttUrl, coordinator.token, specs, INSTANT)).fleet);
      await waitForDevices(client, serialNumbers.length);

      const { mqttUrl: bareUrl } = await bare.ask({ type: 'listen' }, 'listening');
      fleets.push((await Fleet.start(bareUrl, 'bare', specs, INSTANT)).fleet);
      const pairs = meetingIds.flatMap((meetingId) =>
        specs.flatMap((spec) => spec.serialNumbers.map((serialNumber) => ({ agentId: spec.agentId, meetingId, serialNumber }))),
      );

      // Warm-up: both paths once at a tenth of the size.
      await runCoordinator(client, meetingIds.slice(0, 10), serialNumbers);
      await bare.ask({ type: 'dispatch', pairs: pairs.slice(0, 1000) }, 'dispatched');

      const measured: Timings[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await sleep(500);
        measured.push(await runCoordinator(client, meetingIds, serialNumbers));
        await sleep(500);
        baseline.push((await bare.ask({ type: 'dispatch', pairs }, 'dispatched')).ms);
        log(`  round ${round + 1}: coordinator ${measured.at(-1)!.completedMs.toFixed(0)} ms, bare MQTT ${baseline.at(-1)!.toFixed(0)} ms`);
      }

      const completedMs = median(measured.map((m) => m.completedMs));
      const createdMs = median(measured.map((m) => m.createdMs));
      const bareMs = median(baseline);
      const rows = [
        row({
          scenario: 'dispatch',
          figure: '10,000 subtasks: POST → all completed',
          value: completedMs / 1000,
          unit: 's',
          baseline: { label: 'bare broker, same messages', value: bareMs / 1000 },
          target: '< 5 s',
          met: completedMs < TARGET_MS,
          note: `median of ${ROUNDS}; all created after ${(createdMs / 1000).toFixed(2)} s (median)`,
        }),
        row({
          scenario: 'dispatch',
          figure: 'throughput',
          value: 10_000 / (completedMs / 1000),
          unit: 'subtasks/s',
          baseline: { label: 'bare broker', value: 10_000 / (bareMs / 1000) },
        }),
      ];
      return { rows, details: { rounds: measured, bareMs: baseline } };
    } finally {
      client.close();
      for (const fleet of fleets) await fleet.stop();
      await bare.ask({ type: 'stop' }, 'stopped', 10_000).catch(() => undefined);
      await bare.stop();
      await coordinator.stop();
    }
  },
};

async function runCoordinator(client: HttpClient, meetingIds: string[], serialNumbers: string[]): Promise<Timings> {
  const total = meetingIds.length * serialNumbers.length;
  const started = performance.now();
  const { batchId } = await createBatch(client, meetingIds, serialNumbers);
  let createdMs = Number.NaN;
  for (;;) {
    const status = await getStatus(client, batchId);
    const now = performance.now() - started;
    if (Number.isNaN(createdMs) && status.createdCount === total) createdMs = now;
    if (status.statusCounts.completed === total) return { createdMs, completedMs: now };
    if (status.status !== 'pending' && status.status !== 'running') {
      throw new Error(`batch ended ${status.status}: ${JSON.stringify(status.statusCounts)}`);
    }
    if (now > 120_000) throw new Error(`not completed in 120 s: ${JSON.stringify(status)}`);
    await sleep(10);
  }
}
