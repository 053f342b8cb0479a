import { createBatch, ids, isEnded, pollStatus } from '../lib/batch-api.js';
import { launchCoordinator } from '../lib/coordinator.js';
import { HttpClient } from '../lib/http-client.js';
import { makeTinyMeetings } from '../lib/meetings.js';
import { row } from '../lib/report.js';
import { shuffled, sleep, summarise, type Summary } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

const SIZES = [1, 10, 100] as const;
const WARMUP_ROUNDS = 5;
const ROUNDS = 60;

/**
 * POST /batch latency for 1×1, 10×10 and 100×100, in shuffled rounds so that drift and a
 * growing heap touch every size alike. Each POST is sent to an idle coordinator: the previous
 * batch has been fully created first. The devices are offline, so subtasks fail at creation
 * (1001) and no dispatch work runs in the background.
 */
export const createLatency: Scenario = {
  name: 'create latency',
  async run({ log }) {
    const coordinator = await launchCoordinator();
    const client = new HttpClient(coordinator.httpUrl);
    try {
      const meetingIds = await makeTinyMeetings(coordinator.meetingsDir, 100);
      const serialNumbers = ids('OFFLINE', 100);
      const samples = new Map<number, number[]>(SIZES.map((size) => [size, []]));

      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        for (const size of shuffled(SIZES)) {
          const { batchId, ms } = await createBatch(
            client,
            meetingIds.slice(0, size),
            serialNumbers.slice(0, size),
          );
          if (round >= WARMUP_ROUNDS) samples.get(size)!.push(ms);
          await pollStatus(client, batchId, isEnded, { intervalMs: 5 });
          await sleep(30);
        }
        if (round % 20 === 19) log(`  round ${round + 1}/${WARMUP_ROUNDS + ROUNDS}`);
      }

      const [one, ten, hundred] = SIZES.map((size) => summarise(samples.get(size)!)) as [
        Summary,
        Summary,
        Summary,
      ];
      const base = { label: '1×1', value: one.p99 };
      const rows = [
        row({ scenario: 'create latency', figure: 'POST 1×1 p99', value: one.p99, unit: 'ms' }),
        row({ scenario: 'create latency', figure: 'POST 10×10 p99', value: ten.p99, unit: 'ms', baseline: base }),
        row({
          scenario: 'create latency',
          figure: 'POST 100×100 p99',
          value: hundred.p99,
          unit: 'ms',
          baseline: base,
          target: '≤ 2× of 1×1',
          met: hundred.p99 <= 2 * one.p99,
          note:
            `p50 1×1 ${one.p50.toFixed(2)}, 10×10 ${ten.p50.toFixed(2)}, 100×100 ${hundred.p50.toFixed(2)} ms; ` +
            `${ROUNDS} samples per size; devices offline`,
        }),
      ];
      return { rows, details: { oneByOne: one, tenByTen: ten, hundredByHundred: hundred } };
    } finally {
      client.close();
      await coordinator.stop();
    }
  },
};
