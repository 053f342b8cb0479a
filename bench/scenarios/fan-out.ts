import { createBatch, getTasks, paths, pollStatus, waitForDevices } from '../lib/batch-api.js';
import { launchCoordinator } from '../lib/coordinator.js';
import { Fleet } from '../lib/fleet.js';
import { HttpClient } from '../lib/http-client.js';
import { makeTinyMeetings } from '../lib/meetings.js';
import { row } from '../lib/report.js';
import { sleep, summarise } from '../lib/stats.js';
import { SseDelayClient } from '../lib/sse-delay.js';
import { cpuShare } from '../lib/cpu.js';
import { fleetSpec, type Behaviour } from '../sim/behaviour.js';
import type { Scenario } from './scenario.js';

/** Every task runs until the fleet stops, with progress every 200 ms (the agent's default). */
const HOLD: Behaviour = { perDevice: 0, runMs: null, progressMs: 200 };
const CLIENTS = 200;
const WARMUP_MS = 1_000;
const BASELINE_MS = 8_000;
const MEASURE_MS = 8_000;

/**
 * Progress delay from the simulated agent's publish to the SSE client: 200 clients on 200
 * running tasks, against one client on one running task (the baseline).
 */
export const fanOut: Scenario = {
  name: 'fan-out',
  async run({ log }) {
    const coordinator = await launchCoordinator();
    const client = new HttpClient(coordinator.httpUrl);
    let fleet: Fleet | undefined;
    const streams: SseDelayClient[] = [];
    const cpu: Record<string, number>[] = [];
    try {
      const meetingIds = await makeTinyMeetings(coordinator.meetingsDir, 3);
      const specs = fleetSpec(20, 5);
      const serialNumbers = specs.flatMap((s) => s.serialNumbers);
      ({ fleet } = await Fleet.start(coordinator.mqttUrl, coordinator.token, specs, HOLD));
      await waitForDevices(client, serialNumbers.length);

      const follow = async (batchId: string, count: number, ms: number) => {
        await pollStatus(client, batchId, (s) => s.statusCounts.running === count, { intervalMs: 50 });
        const tasks = await getTasks(client, batchId);
        const opened = tasks.map((t) => new SseDelayClient(coordinator.httpUrl + paths.progress(t.taskId!, t.serialNumber)));
        streams.push(...opened);
        await sleep(WARMUP_MS);
        opened.forEach((s) => s.record());
        const pids = { coordinator: coordinator.pid, fleet: fleet!.pid, bench: process.pid };
        cpu.push(await cpuShare(pids, () => sleep(ms)));
        opened.forEach((s) => s.close());
        await Promise.all(opened.map((s) => s.done));
        return opened.flatMap((s) => s.delays);
      };

      const one = (await createBatch(client, meetingIds.slice(2, 3), serialNumbers.slice(0, 1))).batchId;
      const baselineDelays = await follow(one, 1, BASELINE_MS);
      const baseline = summarise(baselineDelays);
      log(`  1 client: p99 ${baseline.p99.toFixed(1)} ms (${baseline.n} events)`);
      const many = (await createBatch(client, meetingIds.slice(0, 2), serialNumbers)).batchId;
      const delays = await follow(many, CLIENTS, MEASURE_MS);
      const measured = summarise(delays);

      const rows = [
        row({
          scenario: 'fan-out',
          figure: `progress delay p99, ${CLIENTS} SSE clients`,
          value: measured.p99,
          unit: 'ms',
          baseline: { label: '1 client', value: baseline.p99 },
          target: '< 100 ms',
          met: measured.p99 < 100,
          note:
            `p50 ${measured.p50.toFixed(1)} vs ${baseline.p50.toFixed(1)} ms, max ${measured.max.toFixed(0)} ms; ` +
            `${measured.n} events (${baseline.n} for 1 client); CPU % of one core while measuring: ` +
            JSON.stringify(cpu[1]),
        }),
      ];
      return {
        rows,
        details: {
          baseline,
          measured,
          cpuBaseline: cpu[0],
          cpu: cpu[1],
          histogram: histogram(delays),
          baselineHistogram: histogram(baselineDelays),
        },
      };
    } finally {
      streams.forEach((s) => s.close());
      client.close();
      await fleet?.stop();
      await coordinator.stop();
    }
  },
};

/** How many delays fall in each bucket (upper bounds in ms). */
function histogram(delays: number[]): Record<string, number> {
  const bounds = [1, 2, 5, 10, 20, 40, 60, 100, 150, 200, 250, 300, 500, 1000, Infinity];
  const counts: Record<string, number> = {};
  for (const bound of bounds) counts[`≤${bound}`] = 0;
  for (const delay of delays) counts[`≤${bounds.find((b) => delay <= b)}`]! += 1;
  return counts;
}
