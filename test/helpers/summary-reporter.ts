import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Adds one plain closing line, `Tests: N passed, N failed, N skipped`, after vitest's own summary,
 * so CI logs can be read without knowing vitest's format. A file that failed to load counts as
 * one failure; so does an error outside any test.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: errors.length, skipped: 0 };
    for (const module of modules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') failedTests++;
        else counts.skipped++;
      }
      counts.failed += failedTests > 0 || module.state() !== 'failed' ? failedTests : 1;
    }
    process.stdout.write(
      `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
