import { rm } from 'node:fs/promises';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { paths } from '../lib/batch-api.js';
import { launchCoordinator } from '../lib/coordinator.js';
import { HttpClient } from '../lib/http-client.js';
import { writeStoredBatches } from '../lib/history-files.js';
import { row } from '../lib/report.js';
import { median, summarise } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

const BATCHES = 200;
const STARTS = 3;
const LIST_REQUESTS = 300;

/**
 * Start time (spawn to the `coordinator ready` line) and GET /batch latency with 200 stored
 * batches of 500 subtasks, against an empty data dir, in alternating starts.
 */
export const history: Scenario = {
  name: 'history',
  async run({ log }) {
    const fullDir = await tempDir('wst-bench-history-');
    const meetingsDir = await tempDir('wst-bench-meetings-');
    const { bytes } = await writeStoredBatches(fullDir, BATCHES, 5, 100);
    log(`  wrote ${BATCHES} batch files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);

    const measure = async (dataDir: string) => {
      const coordinator = await launchCoordinator({ dataDir, meetingsDir, logLevel: 'info' });
      const client = new HttpClient(coordinator.httpUrl);
      try {
        const list: number[] = [];
        for (let i = 0; i < LIST_REQUESTS; i++) {
          const response = await client.get(paths.batches);
          if (response.status !== 200) throw new Error(`GET /batch: HTTP ${response.status}`);
          list.push(response.ms);
        }
        return { startMs: coordinator.startMs, list };
      } finally {
        client.close();
        await coordinator.stop();
      }
    };

    // One throw-away start warms tsx's compile cache and the page cache.
    const emptyDirs: string[] = [];
    const fresh = async () => {
      const dir = await tempDir('wst-bench-empty-');
      emptyDirs.push(dir);
      return dir;
    };
    await measure(await fresh());
    const empty: { startMs: number; list: number[] }[] = [];
    const full: { startMs: number; list: number[] }[] = [];
    for (let i = 0; i < STARTS; i++) {
      empty.push(await measure(await fresh()));
      full.push(await measure(fullDir));
    }
    await Promise.all(emptyDirs.map((dir) => rm(dir, { recursive: true, force: true })));

    const startFull = median(full.map((r) => r.startMs));
    const startEmpty = median(empty.map((r) => r.startMs));
    const listFull = summarise(full.flatMap((r) => r.list));
    const listEmpty = summarise(empty.flatMap((r) => r.list));
    const rows = [
      row({
        scenario: 'history',
        figure: `start with ${BATCHES} × 500-subtask batches`,
        value: startFull / 1000,
        unit: 's',
        baseline: { label: 'empty data dir', value: startEmpty / 1000 },
        target: '< 2 s',
        met: startFull < 2000,
        note: `median of ${STARTS} starts each, spawn to "coordinator ready"; ${full.map((r) => r.startMs).join(', ')} ms`,
      }),
      row({
        scenario: 'history',
        figure: 'GET /batch (page of 100) p99',
        value: listFull.p99,
        unit: 'ms',
        baseline: { label: 'empty store', value: listEmpty.p99 },
        target: '< 20 ms',
        met: listFull.p99 < 20,
        note: `p50 ${listFull.p50.toFixed(2)} vs ${listEmpty.p50.toFixed(2)} ms; ${listFull.n} requests`,
      }),
    ];
    const perStart = (r: { startMs: number; list: number[] }) => ({ startMs: r.startMs, list: summarise(r.list) });
    return { rows, details: { storedBytes: bytes, empty: empty.map(perStart), full: full.map(perStart) } };
  },
};
