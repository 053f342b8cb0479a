/**
 * `npm run bench`: starts real coordinator and agent processes on loopback with temp
 * directories, runs each scenario, prints a table and writes bench/results.json. Every figure
 * sits beside a baseline measured in the same run, as a ratio, because absolute times drift on
 * a shared machine. `npm run bench -- --only dispatch,history` runs some scenarios only.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAll } from '../test/helpers/processes.js';
import { removeTempDirs } from '../test/helpers/temp-dir.js';
import { formatTable, writeResults, type Row } from './lib/report.js';
import { createLatency } from './scenarios/create-latency.js';
import { dispatch } from './scenarios/dispatch.js';
import { statusUnderLoad } from './scenarios/status-under-load.js';
import { fanOut } from './scenarios/fan-out.js';
import { connections } from './scenarios/connections.js';
import { history } from './scenarios/history.js';
import { copyThroughput } from './scenarios/copy-throughput.js';
import type { Scenario } from './scenarios/scenario.js';

const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');

const SCENARIOS: Scenario[] = [createLatency, dispatch, statusUnderLoad, fanOut, connections, history, copyThroughput];

/** The 1-minute load average next to the core count: other work on this shared machine. */
const loadAverage = () => `${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only?.split(',').map((name) => name.trim());
  const chosen = SCENARIOS.filter((s) => !only || only.some((o) => s.name.includes(o)));

  const started = Date.now();
  const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const failures: string[] = [];

  for (const scenario of chosen) {
    log(`${scenario.name} ... (load average ${loadAverage()})`);
    const t0 = Date.now();
    try {
      const result = await scenario.run({ log });
      rows.push(...result.rows);
      details[scenario.name] = {
        ...result.details,
        seconds: (Date.now() - t0) / 1000,
        loadAverageAfter: loadAverage(),
      };
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${scenario.name}: ${message}`);
      log(`${scenario.name} FAILED: ${message.slice(0, 4000)}`);
    } finally {
      await killAll();
    }
    log(`${scenario.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const totalSeconds = (Date.now() - started) / 1000;
  console.log('\n' + formatTable(rows));
  console.log(`\nwhole bench: ${totalSeconds.toFixed(1)} s on ${os.cpus().length} cores`);
  if (failures.length) console.log(`\nscenarios that failed:\n${failures.join('\n')}`);

  await writeResults(RESULTS_FILE, {
    at: new Date(started).toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    totalSeconds,
    rows,
    details,
    failures,
  });
  console.log(`figures written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
  process.exitCode = failures.length ? 1 : 0;
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await killAll();
    await removeTempDirs();
  });
