import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskSecrets, withConfigFile, withoutConfigFlag } from './config-file.js';

const KNOWN = ['WST_HTTP_PORT', 'WST_API_TOKEN', 'WST_DATA_DIR'];

describe('withConfigFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wst-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a JSON file, with the environment winning', async () => {
    const file = path.join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ WST_HTTP_PORT: 9000, WST_DATA_DIR: '/srv/wst' }));

    const env = withConfigFile({ WST_CONFIG_FILE: file, WST_DATA_DIR: '/env' }, [], KNOWN);

    expect(env).toMatchObject({ WST_HTTP_PORT: '9000', WST_DATA_DIR: '/env' });
  });

  it('reads an environment file given with --config', async () => {
    const file = path.join(dir, 'coordinator.env');
    await writeFile(file, '# comment\nWST_HTTP_PORT=9001\nexport WST_API_TOKEN="s3cret"\n');

    const env = withConfigFile({}, ['--config', file], KNOWN);

    expect(env).toMatchObject({ WST_HTTP_PORT: '9001', WST_API_TOKEN: 's3cret' });
    expect(withoutConfigFlag(['--config', file, '--http-port', '1'])).toEqual(['--http-port', '1']);
  });

  it('stops on an unknown key, naming it', async () => {
    const file = path.join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ WST_HTTP_PROT: 9000 }));

    expect(() => withConfigFile({ WST_CONFIG_FILE: file }, [], KNOWN)).toThrow(/WST_HTTP_PROT/);
  });

  it('stops on a line that is not KEY=value, naming the line', async () => {
    const file = path.join(dir, 'c.env');
    await writeFile(file, 'WST_HTTP_PORT=1\nnot a setting\n');

    expect(() => withConfigFile({ WST_CONFIG_FILE: file }, [], KNOWN)).toThrow(/c\.env:2/);
  });

  it('masks secrets in the effective configuration', () => {
    const settings = {
      apiToken: 'x',
      httpPort: 1,
      mqttPassword: undefined,
      allowSharedAgentToken: true,
      diagnostics: { username: 'diag', password: 'p' },
      mqttUrl: 'mqtt://user:pa55@broker:1883',
    };
    expect(maskSecrets(settings)).toEqual({
      apiToken: '[secret]',
      httpPort: 1,
      mqttPassword: undefined,
      allowSharedAgentToken: true,
      diagnostics: { username: 'diag', password: '[secret]' },
      mqttUrl: 'mqtt://user:[secret]@broker:1883',
    });
  });
});
