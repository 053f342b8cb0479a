/**
 * Runs `tick` now and then every `intervalMs` until it returns `true` (done) or `stop()` is
 * called. Ticks never overlap; a tick that throws is reported and tried again after the interval.
 *
 * @param {() => Promise<boolean>} tick
 * @param {number} intervalMs
 * @param {(error: unknown) => void} onError
 */
export function startPoller(tick, intervalMs, onError) {
  let timer = 0;
  let stopped = false;
  let running = false;
  let again = false;

  const run = async () => {
    timer = 0;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    let done = false;
    try {
      done = await tick();
    } catch (error) {
      onError(error);
    }
    running = false;
    if (stopped) return;
    if (again) void run();
    else if (!done) timer = window.setTimeout(run, intervalMs);
  };

  void run();
  return {
    /** Polls at once and keeps polling, e.g. after an action that revived a finished batch. */
    restart() {
      window.clearTimeout(timer);
      void run();
    },
    stop() {
      stopped = true;
      window.clearTimeout(timer);
    },
  };
}
