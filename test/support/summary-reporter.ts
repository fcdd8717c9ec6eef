// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own
// summary, so CI and people reading logs see the totals in a fixed, greppable form; and
// names every test that passed only on a retry (CI retries once, vitest.config.ts), so a
// flaky test is reported in every run rather than hidden by the retry.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const flaky: string[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (t.diagnostic()?.flaky === true) flaky.push(`${m.moduleId.replace(process.cwd() + "/", "")} > ${t.fullName}`);
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    if (flaky.length > 0) process.stdout.write(`\nflaky: ${flaky.length} passed only on a retry:\n  ${flaky.join("\n  ")}\n`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped, ${flaky.length} flaky\n`);
  }
}
