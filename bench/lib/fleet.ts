import type { AgentSpec, Behaviour, FleetCounts, FleetReply, FleetRequest } from '../sim/behaviour.js';
import { BenchChild } from './child.js';

/** The simulated agents, running in their own process. */
export class Fleet {
  readonly #child = new BenchChild<FleetRequest, FleetReply>('sim/fleet-process.ts');

  /** Connects every agent and waits until each has told its status and devices. */
  static async start(
    mqttUrl: string,
    token: string,
    agents: AgentSpec[],
    behaviour: Behaviour,
    connectConcurrency = 50,
  ): Promise<{ fleet: Fleet; connectMs: number }> {
    const fleet = new Fleet();
    try {
      const reply = await fleet.#child.ask(
        { type: 'start', mqttUrl, token, agents, behaviour, connectConcurrency },
        'started',
      );
      return { fleet, connectMs: reply.ms };
    } catch (error) {
      fleet.#child.kill();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  async counts(): Promise<FleetCounts> {
    const { syncs, completed, progress } = await this.#child.ask({ type: 'counts' }, 'counts');
    return { syncs, completed, progress };
  }

  async stop(): Promise<void> {
    await this.#child.ask({ type: 'stop' }, 'stopped', 15_000).catch(() => undefined);
    await this.#child.stop();
  }
}
