import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const AGENT_TOKEN_FILE = 'agent-token';

/**
 * The agent token: the configured one, else the one generated into the data dir on first start
 * (readable by its owner only).
 */
export async function resolveAgentToken(
  dataDir: string,
  configured: string | undefined,
): Promise<{ token: string; file?: string }> {
  if (configured) return { token: configured };

  const file = path.resolve(dataDir, AGENT_TOKEN_FILE);
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return { token: existing.trim(), file };

  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
    // Another process wrote it first: use theirs.
  });
  return { token: (await readFile(file, 'utf8')).trim(), file };
}

/** A secret for the coordinator's own broker connection; never leaves the process. */
export function newInternalSecret(): string {
  return randomBytes(32).toString('base64url');
}
