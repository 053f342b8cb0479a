/** Seconds; from a fast fsync on an SSD to a write stuck behind a slow disk. */
export const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface HistogramSnapshot {
  /** Upper bounds with the cumulative count of observations at or below each. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/**
 * A Prometheus-style histogram of durations in seconds, kept in memory.
 *
 * @example
 * const writes = new Histogram();
 * writes.observe(0.004);
 * writes.snapshot().count; // 1
 */
export class Histogram {
  readonly #bounds: number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(bounds: number[] = DEFAULT_BUCKETS) {
    this.#bounds = [...bounds].sort((a, b) => a - b);
    this.#counts = this.#bounds.map(() => 0);
  }

  observe(seconds: number): void {
    const at = this.#bounds.findIndex((le) => seconds <= le);
    if (at >= 0) this.#counts[at]! += 1;
    this.#sum += seconds;
    this.#count += 1;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = this.#bounds.map((le, i) => ({ le, count: (running += this.#counts[i]!) }));
    return { buckets, sum: this.#sum, count: this.#count };
  }
}
