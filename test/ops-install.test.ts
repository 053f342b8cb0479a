/**
 * Issue 8, operations: `ops/install.sh` into a staging root (no npm ci, no systemctl), checked
 * file by file, and the installed units checked by `systemd-analyze verify` where it exists.
 */
import { execFile } from 'node:child_process';
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/processes.js';
import { tempDir } from './helpers/system.js';

const run = promisify(execFile);
const INSTALL = path.join(REPO_ROOT, 'ops/install.sh');
const PREFIX = '/opt/wst-test';
const APP = `${PREFIX}/lib/wst-sync`;
const LOADER = 'node_modules/tsx/dist/loader.mjs';

function install(root: string, ...args: string[]) {
  return run('bash', [INSTALL, '--root', root, '--prefix', PREFIX, '--no-systemctl', ...args], {
    env: { ...process.env, WST_INSTALL_SKIP_NPM: '1' },
  });
}

/** `Key=value` lines of a unit file, repeated keys kept in order. */
function directives(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

async function systemdAnalyze(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/bin', '/bin')) {
    const candidate = path.join(dir, 'systemd-analyze');
    if (await access(candidate).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
const ANALYZE = await systemdAnalyze();

describe('ops/install.sh into a staging root', () => {
  let root: string;

  beforeAll(async () => {
    root = await tempDir('wst-install-');
    await install(root);
  });

  it('copies the app without tests or local state, ready for the tsx loader npm ci installs', async () => {
    const app = path.join(root, APP);
    const entries = (await readdir(app)).sort();

    expect(entries).toEqual(
      ['README.md', 'agent', 'coordinator', 'package-lock.json', 'package.json', 'scripts', 'shared'].sort(),
    );
    await access(path.join(app, 'agent/main.ts'));
    await access(path.join(app, 'coordinator/main.ts'));
    const files = await run('find', [app, '-name', '*.test.ts']);
    expect(files.stdout).toBe('');
    // tsx is a runtime dependency, so `npm ci --omit=dev` puts the loader where the units expect.
    const manifest = JSON.parse(await readFile(path.join(app, 'package.json'), 'utf8'));
    expect(manifest.dependencies.tsx).toBeDefined();
    await access(path.join(REPO_ROOT, LOADER));
  });

  it.each(['agent', 'coordinator'])('writes the %s unit with the prefix and the hardening', async (role) => {
    const unit = await readFile(path.join(root, `etc/systemd/system/wst-sync-${role}.service`), 'utf8');
    const d = directives(unit);

    expect(unit).not.toContain('@PREFIX@');
    expect(d.get('ExecStart')).toEqual([`/usr/bin/node --import ${APP}/${LOADER} ${APP}/${role}/main.ts`]);
    expect(d.get('WorkingDirectory')).toEqual([APP]);
    expect(d.get('EnvironmentFile')).toEqual([`/etc/wst-sync/${role}.env`]);
    expect(d.get('User')).toEqual(['wst-sync']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('RestartSec')).toHaveLength(1);
    expect(Number(d.get('StartLimitBurst')?.[0])).toBeGreaterThan(1);
    expect(d.get('StartLimitIntervalSec')).toHaveLength(1);
    expect(d.get('KillSignal')).toEqual(['SIGTERM']);
    expect(d.get('TimeoutStopSec')).toHaveLength(1);
    for (const [key, value] of [
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'true'],
      ['NoNewPrivileges', 'true'],
      ['PrivateTmp', 'true'],
    ]) {
      expect(d.get(key!), key).toEqual([value]);
    }
    const writable = d.get('ReadWritePaths')?.join(' ').split(/\s+/);
    const defaults = d.get('Environment')!;
    if (role === 'agent') {
      expect(writable).toEqual(['/var/lib/wst-sync/agent', '/mnt/wst300']);
      expect(defaults).toContain('WST_DATA_DIR=/var/lib/wst-sync/agent');
      expect(defaults).toContain('WST_MOUNT_ROOT=/mnt/wst300');
    } else {
      expect(writable).toEqual(['/var/lib/wst-sync/coordinator', '/srv/wst-sync/meetings']);
      expect(defaults).toContain('WST_DATA_DIR=/var/lib/wst-sync/coordinator');
      expect(defaults).toContain('WST_MEETINGS_DIR=/srv/wst-sync/meetings');
    }
  });

  it.each(['agent', 'coordinator'])('writes %s.env mode 0600 with its secrets commented out', async (role) => {
    const file = path.join(root, `etc/wst-sync/${role}.env`);
    const text = await readFile(file, 'utf8');

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(text).toMatch(/^#WST_AGENT_TOKEN=$/m);
    expect(text).not.toMatch(/^WST_(AGENT|API)_TOKEN=/m);
    // Every active line is a documented variable.
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const name of text.match(/^#?(WST_[A-Z_]+)=/gm) ?? []) {
      expect(readme, name).toContain(`\`${name.replace(/^#/, '').slice(0, -1)}\``);
    }
  });

  it('keeps an existing env file and installs only the role asked for', async () => {
    const other = await tempDir('wst-install-');
    await install(other, '--role', 'agent');
    const env = path.join(other, 'etc/wst-sync/agent.env');
    await writeFile(env, 'WST_AGENT_ID=edited\n', { mode: 0o600 });

    const { stdout } = await install(other, '--role', 'agent');

    expect(stdout).toContain(`kept ${env}`);
    expect(await readFile(env, 'utf8')).toBe('WST_AGENT_ID=edited\n');
    expect(await readdir(path.join(other, 'etc/systemd/system'))).toEqual(['wst-sync-agent.service']);
  });

  it('refuses an unknown role and a relative prefix', async () => {
    await expect(install(root, '--role', 'broker')).rejects.toMatchObject({ code: 2 });
    await expect(
      run('bash', [INSTALL, '--root', root, '--prefix', 'opt', '--no-systemctl']),
    ).rejects.toMatchObject({ code: 2 });
  });

  // Skipped where systemd-analyze is missing (apt package systemd); under CI=true that fails.
  it.skipIf(!ANALYZE && process.env.CI !== 'true')(
    `passes systemd-analyze verify without a warning${ANALYZE ? '' : ' (skipped: no systemd-analyze; apt-get install systemd)'}`,
    async () => {
      expect(ANALYZE, 'systemd-analyze (apt package systemd)').toBeDefined();
      const units = ['agent', 'coordinator'].map((r) =>
        path.join(root, `etc/systemd/system/wst-sync-${r}.service`),
      );
      // verify exits 0 on unknown keys and bad values and only warns on stderr: both must be clean.
      const { stdout, stderr } = await run(ANALYZE!, ['verify', ...units]);

      expect(stderr).toBe('');
      expect(stdout).toBe('');
    },
  );
});
