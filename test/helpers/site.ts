import { ApiClient } from './api.js';
import { makeDeviceDir } from './devices.js';
import { makeMeeting, type MeetingSpec } from './library.js';
import {
  startAgentFor,
  startCoordinator,
  tempDir,
  type Agent,
  type AgentOptions,
  type Coordinator,
  type CoordinatorOptions,
} from './system.js';

export interface SiteOptions {
  /** Meeting id → its files, written into the coordinator's library. */
  meetings: Record<string, MeetingSpec>;
  /** Device directories made under the agent's mount root, each named by its serial. */
  devices?: string[];
  /** Options of the coordinator; its env goes over `WST_DEVICE_SETTLE_MS=0`. */
  coordinator?: CoordinatorOptions;
  agent: Omit<AgentOptions, 'mqttUrl' | 'httpUrl' | 'token' | 'mountRoot'>;
  /** Runs once the devices are made and before the agent starts, e.g. to mount an image. */
  beforeAgent?: (mountRoot: string) => Promise<void>;
}

export interface Site {
  coordinator: Coordinator;
  api: ApiClient;
  agent: Agent;
  mountRoot: string;
}

/**
 * What most end-to-end suites start with: a coordinator with its meetings, and one agent over
 * a fresh mount root holding the given device directories. The caller stops both.
 */
export async function startSite(options: SiteOptions): Promise<Site> {
  const coordinator = await startCoordinator({
    ...options.coordinator,
    env: { WST_DEVICE_SETTLE_MS: '0', ...options.coordinator?.env },
  });
  const api = new ApiClient(coordinator.httpUrl);
  for (const [meetingId, files] of Object.entries(options.meetings)) {
    await makeMeeting(coordinator.meetingsDir, meetingId, files);
  }
  const mountRoot = await tempDir('wst-mounts-');
  for (const serial of options.devices ?? []) await makeDeviceDir(mountRoot, serial);
  await options.beforeAgent?.(mountRoot);
  const agent = await startAgentFor(coordinator, { ...options.agent, mountRoot });
  return { coordinator, api, agent, mountRoot };
}
