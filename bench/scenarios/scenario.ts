import type { Row } from '../lib/report.js';

export interface ScenarioContext {
  /** Progress lines while the bench runs. */
  log: (message: string) => void;
}

export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<{ rows: Row[]; details: Record<string, unknown> }>;
}
