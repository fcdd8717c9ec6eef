// The package version, in a module of its own so that `relaywatch --version` loads nothing
// else. A test keeps it equal to package.json's (core/process-metrics.test.ts, the package test).
export const RELAYWATCH_VERSION = "0.1.0";
