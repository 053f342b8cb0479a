// Preloaded into a coordinator by `BENCH_PROFILE_DIR` (NODE_OPTIONS refuses --cpu-prof): records
// a V8 CPU profile from start to exit and writes it as <dir>/<entry>-<pid>.cpuprofile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this runs before the exit ends.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(dir, `${path.basename(path.dirname(process.argv[1] ?? 'node'))}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
