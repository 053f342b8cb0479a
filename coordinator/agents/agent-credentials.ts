import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DurableJsonFile } from '../../shared/durable-json-file.js';
import { ID_PATTERN } from '../../shared/ids.js';
import { sameSecret } from '../broker/broker-access.js';

export const CREDENTIALS_FILE = 'agents.json';

const Entry = z.object({
  /** sha256 of the token, hex: tokens are 32 random bytes, so a fast hash is enough. */
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});
const CredentialsFile = z.object({ agents: z.record(z.string().regex(ID_PATTERN), Entry) });

export type CredentialEntry = z.infer<typeof Entry>;
type CredentialsData = z.infer<typeof CredentialsFile>;

export type AgentCheck = 'ok' | 'revoked' | 'wrong-token' | 'unknown';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Per-agent tokens in `<data dir>/agents.json`, hashed at rest. An agent listed here must use its
 * own token; a revoked one is refused whatever it presents.
 */
export class AgentCredentials {
  readonly file: string;
  #data: CredentialsData = { agents: {} };

  constructor(dataDir: string) {
    this.file = path.resolve(dataDir, CREDENTIALS_FILE);
  }

  /** Reads the file again; a missing file means no per-agent tokens. */
  async load(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '{"agents":{}}';
      throw error;
    });
    this.#data = CredentialsFile.parse(JSON.parse(text));
  }

  check(agentId: string, token: string): AgentCheck {
    const entry = this.#data.agents[agentId];
    if (!entry) return 'unknown';
    if (entry.revokedAt) return 'revoked';
    return sameSecret(sha256(token), entry.tokenSha256) ? 'ok' : 'wrong-token';
  }

  list(): [string, CredentialEntry][] {
    return Object.entries(this.#data.agents).sort(([a], [b]) => a.localeCompare(b));
  }

  revokedIds(): string[] {
    return this.list()
      .filter(([, entry]) => entry.revokedAt)
      .map(([agentId]) => agentId);
  }

  /** Adds an agent (or replaces its token) and returns the new token, shown once. */
  async add(agentId: string, now = new Date()): Promise<string> {
    if (!ID_PATTERN.test(agentId)) throw new Error(`agent id must match ${ID_PATTERN.source}`);
    await this.load();
    const token = randomBytes(32).toString('base64url');
    this.#data.agents[agentId] = { tokenSha256: sha256(token), createdAt: now.toISOString() };
    await this.#save();
    return token;
  }

  async revoke(agentId: string, now = new Date()): Promise<boolean> {
    await this.load();
    const entry = this.#data.agents[agentId];
    if (!entry) return false;
    entry.revokedAt ??= now.toISOString();
    await this.#save();
    return true;
  }

  async #save(): Promise<void> {
    await new DurableJsonFile<CredentialsData>(this.file).write(this.#data);
    await chmod(this.file, 0o600);
  }
}
