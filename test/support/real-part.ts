// Real parts that some tests need (tmux, Prometheus, Alertmanager, the mediasoup worker).
// On a developer's machine without one, its suite is skipped and says why. In CI (CI=true)
// a missing part fails the file instead: a green CI run means every real part ran.
// (A ClickHouse server cannot be installed on these machines at all: store/remote-store.test.ts
// is the one suite that stays opt-in, through RELAYWATCH_TEST_CLICKHOUSE_URL.)

/** true when the suite should be skipped; throws in CI when the part is missing. */
export function skipWithout(present: boolean, what: string): boolean {
  if (present) return false;
  if (process.env["CI"] === "true") {
    throw new Error(`${what} is missing: CI must run this suite (.ci/run installs it)`);
  }
  return true;
}
