import { describe, expect, it } from 'vitest';
import { ProgressMeter } from './progress-meter.js';

function meter(totalBytes = 10_000_000, intervalMs = 200) {
  const clock = { now: 1_000_000 };
  const progress = new ProgressMeter({
    totalBytes,
    fileCount: 4,
    intervalMs,
    now: () => clock.now,
  });
  return { progress, clock };
}

describe('ProgressMeter', () => {
  it('allows one update per interval', () => {
    const { progress, clock } = meter();

    expect(progress.due()).toBe(true);
    progress.take();
    clock.now += 199;
    expect(progress.due()).toBe(false);
    clock.now += 1;
    expect(progress.due()).toBe(true);
  });

  it('has no speed and no eta before any time has passed', () => {
    const { progress } = meter();
    progress.add(1000);

    expect(progress.snapshot()).toMatchObject({ copiedBytes: 1000, speed: 0, eta: null });
  });

  it('measures speed over the last three seconds only', () => {
    const { progress, clock } = meter();
    for (let i = 0; i < 10; i++) {
      clock.now += 500;
      progress.add(i < 4 ? 50_000 : 500_000); // slow for 2 s, then 1 MB/s
    }

    const { speed, eta, copiedBytes } = progress.snapshot();

    expect(copiedBytes).toBe(3_200_000);
    expect(speed).toBe(1_000_000);
    expect(eta).toBe(6.8);
  });

  it('falls to zero speed and unknown eta when bytes stop coming', () => {
    const { progress, clock } = meter();
    clock.now += 1000;
    progress.add(1_000_000);
    clock.now += 3500;

    expect(progress.snapshot()).toMatchObject({ speed: 0, eta: null });
  });

  it('counts skipped bytes as progress but not as speed', () => {
    const { progress, clock } = meter();
    progress.skip(5_000_000);
    clock.now += 1000;
    progress.add(100_000);

    expect(progress.snapshot()).toMatchObject({
      copiedBytes: 5_100_000,
      percent: 51,
      speed: 100_000,
    });
  });

  it('rounds percent to 0.1 and reaches 100 only once complete', () => {
    const { progress } = meter(3);
    progress.add(1);
    expect(progress.snapshot().percent).toBe(33.3);

    progress.add(2);
    expect(progress.snapshot().percent).toBe(99.9);

    progress.complete();
    expect(progress.snapshot()).toMatchObject({ percent: 100, eta: 0, currentFile: null });
  });

  it('tracks the current file and files done', () => {
    const { progress } = meter();
    progress.startFile('slides/deck.pdf');
    expect(progress.snapshot()).toMatchObject({ currentFile: 'slides/deck.pdf', filesDone: 0 });

    progress.fileDone();
    expect(progress.snapshot()).toMatchObject({ currentFile: null, filesDone: 1, fileCount: 4 });
  });
});
