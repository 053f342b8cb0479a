import { waitForDevices } from '../lib/batch-api.js';
import { assertCoordinatorPid, launchCoordinator, memoryOf } from '../lib/coordinator.js';
import { Fleet } from '../lib/fleet.js';
import { HttpClient } from '../lib/http-client.js';
import { row } from '../lib/report.js';
import { sleep } from '../lib/stats.js';
import { fleetSpec, INSTANT } from '../sim/behaviour.js';
import type { Scenario } from './scenario.js';

const AGENTS = 1_000;
const DEVICES_PER_AGENT = 2;
const SETTLE_MS = 3_000;

/** Coordinator RSS with 1,000 simulated agents connected and 2,000 devices online, vs idle. */
export const connections: Scenario = {
  name: 'connections',
  async run({ log }) {
    const coordinator = await launchCoordinator();
    const client = new HttpClient(coordinator.httpUrl);
    let fleet: Fleet | undefined;
    try {
      await assertCoordinatorPid(coordinator.pid);
      await sleep(SETTLE_MS);
      const idle = await memoryOf(coordinator.pid);

      const specs = fleetSpec(AGENTS, DEVICES_PER_AGENT);
      const started = await Fleet.start(coordinator.mqttUrl, coordinator.token, specs, INSTANT, 50);
      fleet = started.fleet;
      await waitForDevices(client, AGENTS * DEVICES_PER_AGENT);
      log(`  ${AGENTS} agents connected in ${(started.connectMs / 1000).toFixed(1)} s`);
      await sleep(SETTLE_MS);
      const loaded = await memoryOf(coordinator.pid);

      const rows = [
        row({
          scenario: 'connections',
          figure: `RSS, ${AGENTS} agents / ${AGENTS * DEVICES_PER_AGENT} devices`,
          value: loaded.rssMiB,
          unit: 'MiB',
          baseline: { label: 'idle, no agents', value: idle.rssMiB },
          target: '< 300 MB',
          met: loaded.rssMiB * 1.048576 < 300,
          note:
            `${(((loaded.rssMiB - idle.rssMiB) * 1024) / AGENTS).toFixed(0)} KiB per agent; ` +
            `peak (VmHWM) ${loaded.hwmMiB.toFixed(0)} MiB; connect took ${(started.connectMs / 1000).toFixed(1)} s`,
        }),
      ];
      return { rows, details: { idle, loaded, connectMs: started.connectMs } };
    } finally {
      client.close();
      await fleet?.stop();
      await coordinator.stop();
    }
  },
};
