import { parseArgs } from 'node:util';
import { loadCoordinatorConfig } from '../config.js';
import { AgentCredentials } from './agent-credentials.js';

const USAGE = `usage: npm run coordinator -- agents <add|list|revoke> [agentId] [--data-dir DIR]
  add <agentId>     create or replace the agent's own token and print it once
  list              the agents with their own token, and which are revoked
  revoke <agentId>  lock the agent out; a running coordinator disconnects it within seconds`;

/** `npm run coordinator -- agents add host-a`: manages per-agent tokens in the data dir. */
export async function runAgentsCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' } },
    allowPositionals: true,
  });
  const [action, agentId] = positionals;
  const config = loadCoordinatorConfig(process.env, values['data-dir'] ? ['--data-dir', values['data-dir']] : []);
  const credentials = new AgentCredentials(config.dataDir);
  const say = (text: string) => process.stdout.write(`${text}\n`);

  if (action === 'list' && agentId === undefined) {
    await credentials.load();
    for (const [id, entry] of credentials.list()) {
      say(`${id}\t${entry.revokedAt ? `revoked ${entry.revokedAt}` : `active since ${entry.createdAt}`}`);
    }
    return;
  }
  if (action === 'add' && agentId) {
    const token = await credentials.add(agentId);
    say(`agent ${agentId} added; its token (shown once, keep it secret):`);
    say(token);
    say(`on the agent host: WST_AGENT_ID=${agentId} WST_AGENT_TOKEN=<token>`);
    return;
  }
  if (action === 'revoke' && agentId) {
    if (!(await credentials.revoke(agentId))) throw new Error(`no agent ${agentId} in ${credentials.file}`);
    say(`agent ${agentId} revoked`);
    return;
  }
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
}
