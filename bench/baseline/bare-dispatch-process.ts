/**
 * The dispatch scenario's baseline: a bare aedes broker and one MQTT client in one process,
 * like the coordinator, but with nothing in between: no validation, store, book or pacing. It
 * sends sync commands to the simulated agents and counts `completed` answers, so the same
 * message traffic is timed without the coordinator's work.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { newBatchId, newTaskId } from '../../shared/ids.js';
import type { SyncCommand } from '../../shared/messages.js';
import { TOPIC_ROOT, topics } from '../../shared/topics.js';

export type BareRequest =
  | { type: 'listen' }
  | { type: 'dispatch'; pairs: { agentId: string; meetingId: string; serialNumber: string }[] }
  | { type: 'stop' };

export type BareReply =
  | { type: 'listening'; mqttUrl: string }
  | { type: 'dispatched'; ms: number; completed: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
let client: mqtt.MqttClient | undefined;
let onCompleted: (() => void) | undefined;
let sequence = 0;

const reply = (message: BareReply): void => void process.send?.(message);
process.on('disconnect', () => process.exit(0));
process.on('message', (request: BareRequest) => {
  void handle(request).catch((error: unknown) => reply({ type: 'error', message: String(error) }));
});

async function handle(request: BareRequest): Promise<void> {
  if (request.type === 'listen') {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const mqttUrl = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    client = await mqtt.connectAsync(mqttUrl, { clientId: 'bare-dispatcher', clean: true });
    client.on('message', (_topic, payload) => {
      // The only look at the payload: is this task done?
      if (payload.includes('"state":"completed"')) onCompleted?.();
    });
    await client.subscribeAsync(`${TOPIC_ROOT}/+/tasks/+/state`, { qos: 1 });
    return reply({ type: 'listening', mqttUrl });
  }
  if (request.type === 'dispatch') {
    const batchId = newBatchId();
    // Sequential suffixes: random ones could repeat among 10,000 ids made in one second.
    const stem = newTaskId().slice(0, -8);
    let completed = 0;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      onCompleted = () => {
        completed += 1;
        if (completed === request.pairs.length) resolve();
      };
    });
    for (const [index, pair] of request.pairs.entries()) {
      const command: SyncCommand = {
        type: 'sync',
        taskId: `${stem}${(sequence + index).toString(16).padStart(8, '0')}`,
        batchId,
        meetingId: pair.meetingId,
        serialNumber: pair.serialNumber,
        issuedAt: Date.now(),
      };
      client!.publish(topics.commands(pair.agentId), JSON.stringify(command), { qos: 1 });
    }
    sequence += request.pairs.length;
    await done;
    return reply({ type: 'dispatched', ms: performance.now() - started, completed });
  }
  await client?.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
  process.send?.({ type: 'stopped' } satisfies BareReply, () => process.exit(0));
}
