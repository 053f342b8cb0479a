import type { Logger } from '../../shared/logger.js';
import {
  AgentStatus,
  DevicePresence,
  TaskProgress,
  TaskState,
  parseMessage,
} from '../../shared/messages.js';
import { parseTopic } from '../../shared/topics.js';
import type { BatchBook } from '../batches/batch-book.js';
import { isTerminal } from '../batches/model.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { AgentWatchdog } from './agent-watchdog.js';
import type { TaskLifecycle } from './lifecycle.js';
import type { TaskEvents } from './task-events.js';

export interface AgentMessageDeps {
  book: BatchBook;
  devices: DeviceRegistry;
  lifecycle: TaskLifecycle;
  events: TaskEvents;
  watchdog: AgentWatchdog;
  log: Logger;
  onAgentOnline?: (agentId: string) => void;
}

/**
 * Everything agents publish comes through here: validated, applied, and logged with the ids that
 * let an operator follow a subtask. A malformed message is logged and dropped.
 */
export function createAgentMessageHandler(deps: AgentMessageDeps) {
  const { book, devices, lifecycle, events, watchdog, log } = deps;

  return function handleAgentMessage(topic: string, payload: Buffer): void {
    const where = parseTopic(topic);
    if (!where || where.kind === 'commands') return;
    if (payload.length === 0) {
      // A cleared retained message: the agent has forgotten the device for good.
      if (where.kind === 'device') devices.forgetDevice(where.agentId, where.serialNumber);
      return;
    }

    const reject = (error: string) => log.warn({ topic, error }, 'dropped malformed agent message');
    devices.heard(where.agentId);

    switch (where.kind) {
      case 'status': {
        const parsed = parseMessage(AgentStatus, payload);
        if (!parsed.ok) return reject(parsed.error);
        if (parsed.value.agentId !== where.agentId) return reject('agentId does not match topic');
        const { stale, cameOnline } = devices.updateAgent(where.agentId, parsed.value);
        if (stale) {
          log.info({ agentId: where.agentId, online: parsed.value.online }, 'stale agent status ignored');
          return;
        }
        if (parsed.value.online) watchdog.online(where.agentId);
        else watchdog.offline(where.agentId);
        log.info({ agentId: where.agentId, online: parsed.value.online }, 'agent status');
        if (cameOnline) {
          deps.onAgentOnline?.(where.agentId);
          const count = lifecycle.redispatchAgent(where.agentId);
          if (count > 0) log.info({ agentId: where.agentId, count }, 're-sent unfinished subtasks');
        }
        return;
      }
      case 'device': {
        const parsed = parseMessage(DevicePresence, payload);
        if (!parsed.ok) return reject(parsed.error);
        if (parsed.value.serialNumber !== where.serialNumber) {
          return reject('serialNumber does not match topic');
        }
        devices.updateDevice(where.agentId, parsed.value);
        if (parsed.value.online) lifecycle.sweep();
        log.info(
          { agentId: where.agentId, serialNumber: where.serialNumber, online: parsed.value.online },
          'device presence',
        );
        return;
      }
      case 'state': {
        const parsed = parseMessage(TaskState, payload);
        if (!parsed.ok) return reject(parsed.error);
        const state = parsed.value;
        if (state.taskId !== where.taskId) return reject('taskId does not match topic');

        const outcome = lifecycle.applyAgentState(where.agentId, state);
        const ids = {
          batchId: state.batchId,
          taskId: state.taskId,
          meetingId: state.meetingId,
          serialNumber: state.serialNumber,
          agentId: where.agentId,
        };
        if (outcome !== 'applied') {
          log.debug({ ...ids, state: state.state, seq: state.seq, outcome }, 'task state ignored');
          return;
        }
        const level = state.state === 'failed' ? 'warn' : 'info';
        log[level](
          { ...ids, state: state.state, errorCode: state.errorCode, errorDetail: state.errorDetail },
          'task state',
        );
        return;
      }
      case 'progress': {
        const parsed = parseMessage(TaskProgress, payload);
        if (!parsed.ok) return reject(parsed.error);
        const ref = book.task(where.taskId);
        if (!ref || ref.subtask.agentId !== where.agentId || parsed.value.taskId !== where.taskId) {
          return;
        }
        if (isTerminal(ref.subtask.status)) return;
        events.publishProgress(parsed.value);
        return;
      }
    }
  };
}
