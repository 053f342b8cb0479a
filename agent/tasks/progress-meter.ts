export interface ProgressSnapshot {
  copiedBytes: number;
  totalBytes: number;
  percent: number;
  speed: number;
  eta: number | null;
  currentFile: string | null;
  filesDone: number;
  fileCount: number;
}

export interface ProgressMeterOptions {
  totalBytes: number;
  fileCount: number;
  /** Least time between two published updates. */
  intervalMs: number;
  /** Span the speed is averaged over. */
  windowMs?: number;
  now?: () => number;
}

/**
 * Byte-level progress of one task: the speed over a sliding window, the eta that follows from
 * it, and when the next update may be published.
 */
export class ProgressMeter {
  readonly #options: Required<ProgressMeterOptions>;
  readonly #samples: { at: number; copied: number }[] = [];
  #copied = 0;
  #filesDone = 0;
  #currentFile: string | null = null;
  #complete = false;
  #lastPublished = -Infinity;

  constructor(options: ProgressMeterOptions) {
    this.#options = { windowMs: 3000, now: Date.now, ...options };
    this.#samples.push({ at: this.#options.now(), copied: 0 });
  }

  /** Counts bytes that were already on the device: progress, but not speed. */
  skip(bytes: number): void {
    this.#copied += bytes;
    for (const sample of this.#samples) sample.copied += bytes;
  }

  add(bytes: number): void {
    this.#copied += bytes;
    const at = this.#options.now();
    this.#samples.push({ at, copied: this.#copied });
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.#options.windowMs) {
      this.#samples.shift();
    }
  }

  startFile(path: string): void {
    this.#currentFile = path;
  }

  fileDone(): void {
    this.#filesDone += 1;
    this.#currentFile = null;
  }

  /** Marks the task done: only now does the percentage reach 100. */
  complete(): void {
    this.#complete = true;
    this.#currentFile = null;
  }

  /** True when an update may go out now (the interval since the last one has passed). */
  due(): boolean {
    return this.#options.now() - this.#lastPublished >= this.#options.intervalMs;
  }

  /** The current figures; marks them published for `due()`. */
  take(): ProgressSnapshot {
    this.#lastPublished = this.#options.now();
    return this.snapshot();
  }

  snapshot(): ProgressSnapshot {
    const { totalBytes, fileCount } = this.#options;
    const speed = this.#speed();
    const remaining = Math.max(0, totalBytes - this.#copied);
    return {
      copiedBytes: this.#copied,
      totalBytes,
      percent: this.#percent(),
      speed: Math.round(speed),
      eta: speed > 0 ? Math.round((remaining / speed) * 10) / 10 : remaining === 0 ? 0 : null,
      currentFile: this.#currentFile,
      filesDone: this.#filesDone,
      fileCount,
    };
  }

  #percent(): number {
    if (this.#complete) return 100;
    const { totalBytes } = this.#options;
    const percent = totalBytes === 0 ? 0 : Math.round((this.#copied / totalBytes) * 1000) / 10;
    return Math.min(percent, 99.9);
  }

  /** Bytes per second since the last sample before the window began; 0 until time has passed. */
  #speed(): number {
    const now = this.#options.now();
    let base = this.#samples[0]!;
    for (const sample of this.#samples)
      if (sample.at <= now - this.#options.windowMs) base = sample;
    const elapsedMs = now - base.at;
    if (elapsedMs < 100) return 0;
    return ((this.#copied - base.copied) * 1000) / elapsedMs;
  }
}
