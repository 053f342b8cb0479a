import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './processes.js';
import { which } from './mount-tools.js';

export interface Mosquitto {
  url: string;
  stop(): Promise<void>;
}

/** Where a mosquitto binary is, or why there is none. */
export function mosquittoBinary(): { ok: true; path: string } | { ok: false; reason: string } {
  const found = which('mosquitto') ?? (which('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : null);
  if (found) return { ok: true, path: found };
  return { ok: false, reason: 'no mosquitto binary (apt-get install mosquitto)' };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real mosquitto on a free loopback port, with the project's ACL file and a password file
 * holding `users`. It runs until `stop()`.
 */
export async function startMosquitto(dir: string, users: Record<string, string>): Promise<Mosquitto> {
  const binary = mosquittoBinary();
  if (!binary.ok) throw new Error(binary.reason);
  const port = await freePort();

  const passwd = path.join(dir, 'passwd');
  await writeFile(passwd, '', { mode: 0o600 });
  for (const [user, password] of Object.entries(users)) {
    execFileSync('mosquitto_passwd', ['-b', passwd, user, password]);
  }
  const conf = path.join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      'use_username_as_clientid true',
      `password_file ${passwd}`,
      `acl_file ${path.join(REPO_ROOT, 'ops/mosquitto/wst-sync.acl')}`,
      'persistence false',
      // Started as root, mosquitto would switch to its own user and lose our temp files.
      `user ${process.getuid?.() === 0 ? 'root' : 'mosquitto'}`,
      'log_dest stderr',
    ].join('\n') + '\n',
  );

  const { spawn } = await import('node:child_process');
  const child = spawn(binary.path, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForPort(port, () => output);

  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => socket.destroy() && resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}:\n${output()}`);
}
