import { readFileSync } from 'node:fs';

/** The agent's version, as published in its status: the project's package.json version. */
export const AGENT_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    const version =
      typeof manifest === 'object' && manifest && 'version' in manifest
        ? manifest.version
        : undefined;
    return typeof version === 'string' ? version.slice(0, 64) : 'unknown';
  } catch {
    return 'unknown';
  }
}
