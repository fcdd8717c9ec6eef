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
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
