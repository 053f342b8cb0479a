import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

/** A setting the file or the environment got wrong; the message names it. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/**
 * Reads `WST_CONFIG_FILE` (or the `--config` flag): a JSON object or an environment file
 * (`KEY=value` lines, `#` comments) with the same names as the variables. Variables set in the
 * environment win over the file. A key this side does not know stops the process.
 */
export function withConfigFile(env: Env, argv: string[], knownKeys: readonly string[]): Env {
  const flag = argv.indexOf('--config');
  const file = flag >= 0 ? argv[flag + 1] : env.WST_CONFIG_FILE;
  if (!file) return env;

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`WST_CONFIG_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
  const values = file.endsWith('.json') ? parseJson(text, file) : parseEnvFile(text, file);
  for (const key of Object.keys(values)) {
    if (!knownKeys.includes(key)) {
      throw new ConfigFileError(`${file}: unknown setting ${key} (known: ${knownKeys.join(', ')})`);
    }
  }
  return { ...values, ...env };
}

/** Argument list without `--config FILE`, for the side's own flag parser. */
export function withoutConfigFlag(argv: string[]): string[] {
  const at = argv.indexOf('--config');
  return at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)];
}

const MASK = '[secret]';

/** The settings as they will be used, secrets masked, for the start-up log line. */
export function maskSecrets(settings: object): Record<string, unknown> {
  const secret = /token$|password$|secret$|key$/i;
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return [key, maskSecrets(value)];
      }
      if (typeof value !== 'string') return [key, value];
      return [key, secret.test(key) ? MASK : value.replace(/^(\w+:\/\/[^:/@]*:)[^@/]*@/, `$1${MASK}@`)];
    }),
  );
}

function parseJson(text: string, file: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`${file}: not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigFileError(`${file}: must be a JSON object of settings`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new ConfigFileError(`${file}: ${key} must be a string, number or boolean`);
    }
    out[key] = String(value);
  }
  return out;
}

function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new ConfigFileError(`${file}:${index + 1}: expected KEY=value`);
    out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  });
  return out;
}
