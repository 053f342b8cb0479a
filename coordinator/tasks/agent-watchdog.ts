/**
 * Gives an agent that went offline a while to come back. When the time runs out, `onLost` is
 * called once; coming back online before then cancels it.
 */
export class AgentWatchdog {
  readonly #timeoutMs: number;
  readonly #onLost: (agentId: string) => void;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(timeoutMs: number, onLost: (agentId: string) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onLost = onLost;
  }

  online(agentId: string): void {
    clearTimeout(this.#timers.get(agentId));
    this.#timers.delete(agentId);
  }

  offline(agentId: string): void {
    if (this.#timers.has(agentId)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(agentId);
      this.#onLost(agentId);
    }, this.#timeoutMs);
    timer.unref();
    this.#timers.set(agentId, timer);
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
