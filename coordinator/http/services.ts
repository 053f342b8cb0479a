import type { Logger } from '../../shared/logger.js';
import type { BatchBook } from '../batches/batch-book.js';
import type { SubtaskCreator } from '../batches/subtask-creator.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
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
  secrets: { agentToken: string; apiToken?: string };
}
