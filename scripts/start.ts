/**
 * `npm start`: seeds the demo library (unless `--no-demo`), starts the coordinator and one local
 * agent, and runs until either stops or you press Ctrl-C. Every WST_* variable set in the
 * environment wins over the defaults below; `WST_AGENT_DATA_DIR` moves the agent's state.
 */
import { readFile } from 'node:fs/promises';
import { byteRate } from '../agent/config.js';
import { READY_MESSAGES } from '../shared/agent-api.js';
import { startChild, type Child } from './child.js';
import { seedDemo } from './demo-seed.js';

const env = process.env;
const demo = !process.argv.includes('--no-demo');
const children: Child[] = [];
let stopping = false;

const say = (line: string) => process.stderr.write(line + '\n');

function stopAll(signal: NodeJS.Signals = 'SIGTERM'): void {
  stopping = true;
  for (const child of children) child.stop(signal);
}

process.on('SIGINT', () => stopAll(stopping ? 'SIGKILL' : 'SIGTERM'));
process.on('SIGTERM', () => stopAll(stopping ? 'SIGKILL' : 'SIGTERM'));
process.on('exit', () => stopAll('SIGKILL'));

async function main(): Promise<number> {
  const mountRoot = env.WST_MOUNT_ROOT ?? 'var/mounts';
  if (demo) await seedDemo({ meetingsDir: env.WST_MEETINGS_DIR, mountRoot, log: say });

  const coordinator = startChild('coordinator', 'coordinator/main.ts', {
    ...env,
    WST_HTTP_HOST: env.WST_HTTP_HOST ?? '127.0.0.1',
    WST_HTTP_PORT: env.WST_HTTP_PORT ?? '8080',
    WST_MQTT_PORT: env.WST_MQTT_PORT ?? '1883',
  });
  children.push(coordinator);
  const ready = await coordinator.ready(READY_MESSAGES.coordinator);
  const httpUrl = String(ready.httpUrl);
  const token = env.WST_AGENT_TOKEN ?? (await readToken(ready.agentTokenFile));

  const agentId = env.WST_AGENT_ID ?? 'local';
  const bwLimit = env.WST_COPY_BWLIMIT ?? String(25 * 1024 * 1024);
  const agent = startChild(`agent:${agentId}`, 'agent/main.ts', {
    ...env,
    WST_MQTT_URL: env.WST_MQTT_URL ?? String(ready.mqttUrl),
    WST_COORDINATOR_URL: env.WST_COORDINATOR_URL ?? httpUrl,
    WST_AGENT_TOKEN: token,
    WST_AGENT_ID: agentId,
    WST_MOUNT_ROOT: mountRoot,
    WST_DATA_DIR: env.WST_AGENT_DATA_DIR ?? 'var/agent',
    WST_COPY_BWLIMIT: bwLimit,
  });
  children.push(agent);
  agent.ready(READY_MESSAGES.agent).then(
    () => say(banner(httpUrl, String(ready.mqttUrl), agentId, mountRoot, byteRate('WST_COPY_BWLIMIT', bwLimit))),
    () => undefined,
  );

  const first = await Promise.race(
    children.map((child) => child.exited.then((info) => ({ child, info }))),
  );
  if (!stopping)
    say(
      `${first.child.name} stopped (code ${first.info.code}, signal ${first.info.signal}); stopping the rest`,
    );
  const unexpected = !stopping;
  stopAll();
  const forceKill = setTimeout(() => stopAll('SIGKILL'), 10_000);
  await Promise.all(children.map((child) => child.exited));
  clearTimeout(forceKill);
  return unexpected ? first.info.code || 1 : 0;
}

async function readToken(file: unknown): Promise<string> {
  if (typeof file !== 'string') {
    throw new Error('the coordinator named no agentTokenFile and WST_AGENT_TOKEN is not set');
  }
  return (await readFile(file, 'utf8')).trim();
}

function banner(httpUrl: string, mqttUrl: string, agentId: string, mountRoot: string, bw: number) {
  const limit = bw > 0 ? `${(bw / 1024 / 1024).toFixed(1)} MiB/s` : 'unlimited';
  const body = JSON.stringify({
    meetingIds: ['demo-board-meeting', 'demo-annual-review'],
    serialNumbers: ['WST300LX1000560', 'WST300LX1000600'],
  });
  return [
    '',
    `ready: open ${httpUrl}  (MQTT ${mqttUrl}; agent "${agentId}" watches ${mountRoot}, copy limit ${limit})`,
    'try:',
    `  curl -s -X POST ${httpUrl}/api/v1/mount/sync/batch -H 'content-type: application/json' -d '${body}'`,
    `  curl -s ${httpUrl}/api/v1/mount/sync/batch/<batchId>/status`,
    `  curl -s ${httpUrl}/api/v1/mount/sync/batch/<batchId>/tasks`,
    `  curl -sN '${httpUrl}/api/v1/mount/sync/tasks/<taskId>/progress/stream?serialNumber=WST300LX1000600'`,
    'Ctrl-C stops both.',
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const asked = stopping;
    if (!asked) say(`start: ${error instanceof Error ? error.message : String(error)}`);
    stopAll();
    void Promise.all(children.map((child) => child.exited)).then(() => process.exit(asked ? 0 : 1));
  },
);
