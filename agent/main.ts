import { mkdir } from 'node:fs/promises';
import { READY_MESSAGES } from '../shared/agent-api.js';
import { announce, createLogger, type Logger } from '../shared/logger.js';
import { Agent } from './agent.js';
import { startHealthServer } from './health/health-server.js';
import {
  ConfigFileError,
  maskSecrets,
  withConfigFile,
  withoutConfigFlag,
} from '../shared/config-file.js';
import { AGENT_KEYS, ConfigError, parseConfig, type AgentConfig } from './config.js';
import { Journal } from './journal/journal.js';
import { AGENT_VERSION } from './version.js';

const STOP_TIMEOUT_MS = 4500;

const logger = createLogger('agent');

let config: AgentConfig;
try {
  const argv = process.argv.slice(2);
  const env = withConfigFile(process.env, argv, AGENT_KEYS);
  config = parseConfig(env, withoutConfigFlag(argv));
  if (env.WST_LOG_LEVEL) logger.level = env.WST_LOG_LEVEL;
  logger.info({ config: maskSecrets(config) }, 'effective configuration');
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof ConfigFileError)) throw error;
  logger.fatal(`configuration: ${error.message}`);
  process.exit(2);
}

const { agentId, mountRoot, mqttUrl } = config;
const log = logger.child({ agentId });
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

try {
  const agent = await start(config, log);
  const health =
    config.health &&
    (await startHealthServer(config.health.host, config.health.port, () => agent.snapshot()));
  announce(logger, { agentId, mountRoot, mqttUrl, healthUrl: health?.url }, READY_MESSAGES.agent);
  process.once('SIGTERM', () => void stop(agent, 'SIGTERM'));
  process.once('SIGINT', () => void stop(agent, 'SIGINT'));
} catch (err) {
  log.fatal({ err }, 'agent failed to start');
  process.exit(1);
}

async function start(config: AgentConfig, log: Logger): Promise<Agent> {
  await mkdir(config.mountRoot, { recursive: true });
  const journal = await Journal.open(config.dataDir, {
    onWriteError: (err) => log.error({ err }, 'journal write failed'),
  });
  if (journal.corruptCopy) {
    log.error(
      { corruptCopy: journal.corruptCopy },
      'journal unreadable, set aside; starting empty',
    );
  }

  const agent = new Agent({ config, journal, logger: log, version: AGENT_VERSION });
  await agent.start();
  return agent;
}

/** Interrupts copies (they resume on the next start), flushes, says offline, exits. */
async function stop(agent: Agent, signal: string): Promise<void> {
  log.info({ signal }, 'agent stopping');
  setTimeout(() => {
    log.error('stop took too long, exiting');
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();

  try {
    await agent.stop();
    log.info('agent stopped');
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'agent stop failed');
    process.exit(1);
  }
}
