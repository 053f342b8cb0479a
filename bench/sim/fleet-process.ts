/**
 * A child process holding many simulated agents, so that their MQTT traffic does not share an
 * event loop with the bench's measuring clients. Driven over IPC (see FleetRequest).
 */
import { performance } from 'node:perf_hooks';
import type { FleetCounts, FleetReply, FleetRequest } from './behaviour.js';
import { SimAgent } from './sim-agent.js';

const agents: SimAgent[] = [];
const counts: FleetCounts = { syncs: 0, completed: 0, progress: 0 };

const reply = (message: FleetReply): void => void process.send?.(message);

process.on('message', (message: FleetRequest) => {
  void handle(message).catch((error: unknown) =>
    reply({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function handle(request: FleetRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      const started = performance.now();
      const specs = [...request.agents];
      const worker = async () => {
        for (let spec = specs.shift(); spec; spec = specs.shift()) {
          const agent = new SimAgent(request.mqttUrl, request.token, spec, request.behaviour, counts);
          agents.push(agent);
          await agent.start();
        }
      };
      await Promise.all(Array.from({ length: request.connectConcurrency }, worker));
      return reply({ type: 'started', connected: agents.length, ms: performance.now() - started });
    }
    case 'counts':
      return reply({ type: 'counts', ...counts });
    case 'stop':
      await Promise.all(agents.map((agent) => agent.stop()));
      // Exit only once the reply has left, or the bench would wait for it in vain.
      process.send?.({ type: 'stopped' } satisfies FleetReply, () => process.exit(0));
      return;
  }
}
