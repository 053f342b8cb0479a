/** How simulated agents treat the sync commands they receive; plain data, sent over IPC. */
export interface Behaviour {
  /** Tasks one device runs at once; later ones wait `accepted`. 0 means no limit. */
  perDevice: number;
  /** How long a task stays `running` before it completes; null holds it until the fleet stops. */
  runMs: number | null;
  /** Progress interval of a running task; 0 publishes none. */
  progressMs: number;
}

/** Answers every sync at once with accepted, running, completed: no copy, no progress. */
export const INSTANT: Behaviour = { perDevice: 0, runMs: 0, progressMs: 0 };

export interface AgentSpec {
  agentId: string;
  serialNumbers: string[];
}

/** `sim-agent-007` with devices `SIMDEV000013`, `SIMDEV000014`, ...: `perAgent` devices each. */
export function fleetSpec(agents: number, perAgent: number, prefix = 'sim'): AgentSpec[] {
  return Array.from({ length: agents }, (_, a) => ({
    agentId: `${prefix}-agent-${String(a).padStart(4, '0')}`,
    serialNumbers: Array.from(
      { length: perAgent },
      (_, d) => `${prefix.toUpperCase()}DEV${String(a * perAgent + d).padStart(6, '0')}`,
    ),
  }));
}

/** Messages between the bench and the fleet process. */
export type FleetRequest =
  | {
      type: 'start';
      mqttUrl: string;
      token: string;
      agents: AgentSpec[];
      behaviour: Behaviour;
      /** Agents connecting at the same time. */
      connectConcurrency: number;
    }
  | { type: 'counts' }
  | { type: 'stop' };

export interface FleetCounts {
  syncs: number;
  completed: number;
  progress: number;
}

export type FleetReply =
  | { type: 'started'; connected: number; ms: number }
  | ({ type: 'counts' } & FleetCounts)
  | { type: 'stopped' }
  | { type: 'error'; message: string };
