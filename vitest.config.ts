import { defineConfig } from "vitest/config";

// Tests run in forked processes: chdb allows one active data directory per process,
// and region nodes bind real loopback sockets.
export default defineConfig({
  test: {
    pool: "forks",
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", "data/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI runs the suite on a 2-core machine, real processes and sockets in parallel: a test
    // that fails gets one more try there, and the summary reporter names it as flaky (a test
    // that fails twice still fails the run). Locally there is no retry.
    retry: process.env["CI"] === undefined || process.env["CI"] === "" ? 0 : 1,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
