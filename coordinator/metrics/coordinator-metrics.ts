import type { BatchBook } from '../batches/batch-book.js';
import { SUBTASK_STATUSES, type BatchStatus, type StatusCounts } from '../batches/model.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { TaskEvents } from '../tasks/task-events.js';
import { BytesCopied } from './bytes-copied.js';
import type { Histogram } from '../../shared/histogram.js';
import { PrometheusText } from '../../shared/prometheus-text.js';

const BATCH_STATUSES: readonly BatchStatus[] = [
  'pending',
  'running',
  'completed',
  'partial_failed',
  'failed',
  'cancelled',
];

export interface MetricsSources {
  book: BatchBook;
  devices: DeviceRegistry;
  events: TaskEvents;
  storeWrites: Histogram;
  mqttMessagesReceived: () => number;
}

/**
 * The coordinator's metrics in the Prometheus text format. Subtask counts come from each batch's
 * kept counters, so a scrape is O(batches), not O(subtasks).
 */
export function metricsRenderer(sources: MetricsSources): () => string {
  const bytesCopied = new BytesCopied();

  return () => {
    const { book, devices, events } = sources;
    const batches = Object.fromEntries(BATCH_STATUSES.map((s) => [s, 0])) as Record<BatchStatus, number>;
    const subtasks = Object.fromEntries(SUBTASK_STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const batch of book.all()) {
      batches[book.status(batch)] += 1;
      for (const status of SUBTASK_STATUSES) subtasks[status] += batch.counts[status];
    }

    const text = new PrometheusText();
    text.family('wst_batches', 'gauge', 'Batches by status.');
    for (const status of BATCH_STATUSES) text.sample('wst_batches', batches[status], { status });
    text.family('wst_subtasks', 'gauge', 'Created subtasks by status.');
    for (const status of SUBTASK_STATUSES) text.sample('wst_subtasks', subtasks[status], { status });

    text
      .family('wst_bytes_copied_total', 'counter', 'Sum of packageSize of completed subtasks.')
      .sample('wst_bytes_copied_total', bytesCopied.total(book.all()))
      .family('wst_agents_online', 'gauge', 'Agents connected and online.')
      .sample('wst_agents_online', devices.agents().filter((a) => a.online).length)
      .family('wst_devices_online', 'gauge', 'Devices online on some agent.')
      .sample('wst_devices_online', devices.devices().filter((d) => d.online).length)
      .family('wst_sse_clients', 'gauge', 'Open progress streams (SSE).')
      .sample('wst_sse_clients', events.watcherCount)
      .family('wst_mqtt_messages_received_total', 'counter', 'MQTT messages the coordinator received.')
      .sample('wst_mqtt_messages_received_total', sources.mqttMessagesReceived())
      .histogram('wst_store_write_seconds', 'Store file writes, fsync included.', sources.storeWrites.snapshot());
    return text.toString();
  };
}
