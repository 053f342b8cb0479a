import { watchFile } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { READY_MESSAGES } from '../shared/agent-api.js';
import { topics } from '../shared/topics.js';
import {
  ConfigFileError,
  maskSecrets,
  withConfigFile,
  withoutConfigFlag,
} from '../shared/config-file.js';
import { announce, createLogger } from '../shared/logger.js';
import { BatchBook } from './batches/batch-book.js';
import { SubtaskCreator } from './batches/subtask-creator.js';
import { AgentCredentials } from './agents/agent-credentials.js';
import { runAgentsCommand } from './agents/cli.js';
import { CoordinatorClient } from './broker/coordinator-client.js';
import { reachable, startBroker } from './broker/start-broker.js';
import { COORDINATOR_KEYS, ConfigError, loadCoordinatorConfig } from './config.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { createApp } from './http/app.js';
import { Histogram } from '../shared/histogram.js';
import { MeetingLibrary } from './library/library.js';
import { resolveAgentToken } from './secrets.js';
import { LowdbStore } from './store/lowdb-store.js';
import { createAgentMessageHandler } from './tasks/agent-messages.js';
import { AgentWatchdog } from './tasks/agent-watchdog.js';
import { TaskLifecycle } from './tasks/lifecycle.js';
import { TaskEvents } from './tasks/task-events.js';

const log = createLogger('coordinator');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const env = withConfigFile(process.env, argv, COORDINATOR_KEYS);
  const config = loadCoordinatorConfig(env, withoutConfigFlag(argv));
  if (env.WST_LOG_LEVEL && !(env.WST_LOG_LEVEL in log.levels.values)) {
    throw new ConfigError(`WST_LOG_LEVEL must be one of ${Object.keys(log.levels.values).join(', ')}`);
  }
  log.level = env.WST_LOG_LEVEL ?? log.level;
  log.info({ config: maskSecrets(config) }, 'effective configuration');
  const { token: agentToken, file: agentTokenFile } = await resolveAgentToken(
    config.dataDir,
    config.agentToken,
  );
  await mkdir(config.meetingsDir, { recursive: true });

  const storeWrites = new Histogram();
  const store = new LowdbStore({
    dataDir: config.dataDir,
    coalesceMs: config.storeCoalesceMs,
    onDamage: (damage) => log.error(damage, 'store file damaged and set aside'),
    onWrite: (seconds) => storeWrites.observe(seconds),
  });
  const book = new BatchBook();
  for (const record of await store.loadAll()) book.add(record);

  const library = new MeetingLibrary(config.meetingsDir);
  const devices = new DeviceRegistry();
  const events = new TaskEvents();

  const credentials = new AgentCredentials(config.dataDir);
  await credentials.load();
  const broker = await startBroker(config, agentToken, credentials, log);
  let handleMessage: (topic: string, payload: Buffer) => void = () => undefined;
  const client = await CoordinatorClient.connect({
    url: broker.url,
    username: broker.username,
    password: broker.password,
    tls: broker.tls,
    onMessage: (topic, payload) => handleMessage(topic, payload),
    onConnect: () => log.info({ mqttUrl: broker.url }, 'connected to broker'),
    onError: (err) => log.warn({ err }, 'broker connection error'),
  });
  watchCredentials(credentials, (revoked) => {
    const closed = broker.embedded?.disconnectAgents(revoked) ?? 0;
    if (closed > 0) log.warn({ agentIds: revoked }, 'disconnected revoked agents');
    // A revoked agent is gone for good: its retained status and devices would only be ghosts.
    for (const agentId of revoked) {
      for (const serial of devices.forgetAgent(agentId)) {
        client.clearRetained(topics.device(agentId, serial));
      }
      client.clearRetained(topics.agentStatus(agentId));
    }
  });
  const lifecycle = new TaskLifecycle({
    book,
    store,
    events,
    devices,
    channel: client,
    autoRetry: config.autoRetry,
  });
  lifecycle.adoptLoaded();
  const watchdog = new AgentWatchdog(config.agentLostTimeoutMs, (agentId) => {
    const detail = `agent ${agentId} did not come back within ${config.agentLostTimeoutMs} ms`;
    const taskIds = lifecycle.agentLost(agentId, detail);
    if (taskIds.length > 0) log.warn({ agentId, taskIds }, 'agent lost; its unfinished subtasks failed');
  });
  // Agents with unfinished work must report in after a restart, or their subtasks fail in time.
  for (const agentId of book.agentsWithOpenTasks()) watchdog.offline(agentId);
  // Agents publish a heartbeat; one gone silent (a broker restart lost its will) is offline.
  const heartbeats = setInterval(() => {
    for (const agentId of devices.expireSilent(Date.now(), config.agentHeartbeatTimeoutMs)) {
      watchdog.offline(agentId);
      log.warn({ agentId }, 'agent missed its heartbeats; marked offline');
    }
  }, 1000);
  heartbeats.unref();
  const creator = new SubtaskCreator({
    book,
    store,
    library,
    devices,
    lifecycle,
    chunkSize: config.createChunkSize,
    onChunk: (batch, created) =>
      log.debug({ batchId: batch.record.batchId, count: created.length }, 'subtasks created'),
    onError: (batch, err) =>
      log.error({ batchId: batch.record.batchId, err }, 'subtask creation failed'),
  });
  for (const batch of book.unfinishedCreation()) creator.enqueue(batch);

  // Creating subtasks before agents re-report their devices would call those devices offline:
  // wait until every agent with unfinished batches is back, or WST_DEVICE_SETTLE_MS at most.
  const awaited = book.agentsOfUnendedBatches();
  const resume = () => {
    clearTimeout(settle);
    creator.resume();
    lifecycle.start();
  };
  const settle = setTimeout(resume, config.deviceSettleMs);
  const onAgentOnline = (agentId: string) => {
    if (awaited.delete(agentId) && awaited.size === 0) resume();
  };
  handleMessage = createAgentMessageHandler({
    book,
    devices,
    lifecycle,
    events,
    watchdog,
    log,
    onAgentOnline,
  });

  const app = createApp({
    book,
    store,
    library,
    devices,
    events,
    creator,
    lifecycle,
    log,
    limits: { maxBatchSize: config.maxBatchSize, sseKeepAliveMs: config.sseKeepAliveMs },
    secrets: {
      agentToken: config.allowSharedAgentToken ? agentToken : undefined,
      credentials,
      apiToken: config.apiToken,
    },
    corsOrigins: config.corsOrigins,
    ops: {
      mqttConnected: () => client.connected,
      mqttMessagesReceived: () => client.messagesReceived,
      storeDir: path.join(config.dataDir, 'batches'),
      storeWrites,
    },
  });
  const server = serve({ fetch: app.fetch, hostname: config.httpHost, port: config.httpPort });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const httpPort = (server.address() as AddressInfo).port;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'coordinator stopping');
    watchdog.stop();
    lifecycle.stop();
    clearInterval(heartbeats);
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await store.close();
    await client.close().catch(() => undefined);
    await broker.embedded?.close();
    log.info('coordinator stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  announce(
    log,
    {
      httpUrl: `http://${reachable(config.httpHost)}:${httpPort}`,
      mqttUrl: broker.url,
      embeddedBroker: broker.embedded !== undefined,
      agentTokenFile,
      batches: book.size,
      apiAuth: config.apiToken !== undefined,
    },
    READY_MESSAGES.coordinator,
  );

}

/** Re-reads the credentials file when `agents add/revoke` changes it, from any process. */
function watchCredentials(credentials: AgentCredentials, onRevoked: (ids: string[]) => void) {
  watchFile(credentials.file, { interval: 1000 }, () => {
    credentials.load().then(
      () => onRevoked(credentials.revokedIds()),
      (err: unknown) => log.error({ err, file: credentials.file }, 'agent credentials unreadable'),
    );
  }).unref();
}

process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const [command, ...rest] = process.argv.slice(2);
const run = command === 'agents' ? () => runAgentsCommand(rest) : main;
run().catch((err: unknown) => {
  const badConfig = err instanceof ConfigError || err instanceof ConfigFileError;
  if (badConfig) log.fatal(`configuration: ${(err as Error).message}`);
  else log.fatal({ err }, 'coordinator failed to start');
  process.exit(badConfig ? 2 : 1);
});
