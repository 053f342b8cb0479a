import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const env = { WST_AGENT_TOKEN: 'tok' };

describe('parseConfig', () => {
  it('fills in the documented defaults', () => {
    expect(parseConfig(env, [], 'host-1')).toEqual({
      mqttUrl: 'mqtt://127.0.0.1:1883',
      dataDir: path.resolve('var/agent'),
      token: 'tok',
      coordinatorUrl: 'http://127.0.0.1:8080',
      agentId: 'host-1',
      mountRoot: path.resolve('var/mounts'),
      progressIntervalMs: 200,
      copyBwlimit: 0,
      deviceGraceMs: 60_000,
      maxParallelCopies: 2,
      heartbeatMs: 15_000,
      health: { host: '127.0.0.1', port: 9101 },
    });
  });

  it('reads every variable and lets flags override them', () => {
    const config = parseConfig(
      {
        ...env,
        WST_MQTT_URL: 'mqtts://broker.example:8883',
        WST_DATA_DIR: '/srv/agent',
        WST_COORDINATOR_URL: 'https://coord.example',
        WST_AGENT_ID: 'room-12',
        WST_MOUNT_ROOT: '/media/wst',
        WST_PROGRESS_INTERVAL_MS: '500',
        WST_COPY_BWLIMIT: '2M',
        WST_DEVICE_GRACE_MS: '90000',
      },
      ['--mount-root', '/mnt/devices', '--copy-bwlimit=512k', '--device-grace-ms', '1500'],
    );

    expect(config).toMatchObject({
      mqttUrl: 'mqtts://broker.example:8883',
      dataDir: '/srv/agent',
      coordinatorUrl: 'https://coord.example',
      agentId: 'room-12',
      mountRoot: '/mnt/devices',
      progressIntervalMs: 500,
      copyBwlimit: 512 * 1024,
      deviceGraceMs: 1500,
    });
  });

  it('requires the agent token', () => {
    expect(() => parseConfig({}, [], 'h')).toThrow(/WST_AGENT_TOKEN is required/);
    expect(() => parseConfig({ WST_AGENT_TOKEN: '  ' }, [], 'h')).toThrow(ConfigError);
  });

  it.each([
    ['WST_MQTT_URL', 'http://127.0.0.1:1883'],
    ['WST_MQTT_URL', 'not a url'],
    ['WST_COORDINATOR_URL', 'ftp://x'],
    ['WST_AGENT_ID', 'a/b'],
    ['WST_AGENT_ID', '.hidden'],
    ['WST_PROGRESS_INTERVAL_MS', '-5'],
    ['WST_PROGRESS_INTERVAL_MS', '1.5'],
    ['WST_COPY_BWLIMIT', 'fast'],
    ['WST_DEVICE_GRACE_MS', '1m'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => parseConfig({ ...env, [name]: value }, [], 'h')).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(name) }),
    );
  });

  it('rejects an invalid host name as agent id and an unknown flag', () => {
    expect(() => parseConfig(env, [], 'bad host')).toThrow(/WST_AGENT_ID/);
    expect(() => parseConfig(env, ['--mount'], 'h')).toThrow(ConfigError);
  });
});
