import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE, PrometheusText } from '../../shared/prometheus-text.js';
import type { AgentSnapshot } from '../agent.js';

/** `/healthz` and `/metrics` (Prometheus text) of one agent, on a local port. */
export async function startHealthServer(
  host: string,
  port: number,
  snapshot: () => AgentSnapshot,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ status: 'ok', mqttConnected: snapshot().mqttConnected }));
    }
    if (request.method === 'GET' && path === '/metrics') {
      response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      return response.end(renderMetrics(snapshot()));
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: 404, message: `no route for ${request.method} ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: real } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${real}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function renderMetrics(s: AgentSnapshot): string {
  const text = new PrometheusText()
    .family('wst_agent_mqtt_connected', 'gauge', '1 while the agent is connected to the broker')
    .sample('wst_agent_mqtt_connected', s.mqttConnected ? 1 : 0)
    .family('wst_agent_devices_online', 'gauge', 'Devices mounted under the mount root')
    .sample('wst_agent_devices_online', s.devicesOnline)
    .family('wst_agent_copies_running', 'gauge', 'Copies running now')
    .sample('wst_agent_copies_running', s.copiesRunning)
    .family('wst_agent_tasks', 'gauge', 'Tasks in the journal (last 7 days) by state');
  for (const state of ['accepted', 'running', 'completed', 'failed']) {
    text.sample('wst_agent_tasks', s.tasksByState[state] ?? 0, { state });
  }
  return text
    .family('wst_agent_completed_bytes', 'gauge', 'Package bytes of completed tasks in the journal')
    .sample('wst_agent_completed_bytes', s.completedBytes)
    .toString();
}
