import type { Logger } from '../../shared/logger.js';
import type { AgentCredentials } from '../agents/agent-credentials.js';
import type { BatchBook } from '../batches/batch-book.js';
import type { SubtaskCreator } from '../batches/subtask-creator.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { Histogram } from '../../shared/histogram.js';
import type { MeetingLibrary } from '../library/library.js';
import type { Store } from '../store/store.js';
import type { TaskLifecycle } from '../tasks/lifecycle.js';
import type { TaskEvents } from '../tasks/task-events.js';

/** What the HTTP handlers work with. */
export interface Services {
  book: BatchBook;
  store: Store;
  library: MeetingLibrary;
  devices: DeviceRegistry;
  events: TaskEvents;
  creator: SubtaskCreator;
  lifecycle: TaskLifecycle;
  log: Logger;
  limits: { maxBatchSize: number; sseKeepAliveMs: number };
  secrets: {
    /** The shared agent token, unless only per-agent tokens are accepted. */
    agentToken?: string;
    credentials: AgentCredentials;
    apiToken?: string;
  };
  /** Browser origins allowed to call the API (CORS); empty: same origin and non-browsers only. */
  corsOrigins: string[];
  /** What `/readyz` and `/metrics` read; without it those routes are not served. */
  ops?: OpsSources;
}

/** Process-level facts the health and metrics routes need. */
export interface OpsSources {
  mqttConnected: () => boolean;
  mqttMessagesReceived: () => number;
  /** The store's directory; `/readyz` writes a probe file there. */
  storeDir: string;
  storeWrites: Histogram;
}
