// Issue 21: SIGTERM stops a long-running subcommand while it starts and while it runs —
// it closes what it opened and exits within 5 s (0 for a service, 143 for a task cut
// short), leaving nothing listening; a second signal exits at once. Real processes through
// the real entry point. `up` and `scenario run` (whole worlds) are in
// test/lab/cli-lifecycle.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../support/ports.js";
import { canBindTcp } from "../support/process-tree.js";
import { startCli, type RunningCli } from "../support/run-cli.js";

const SECRET = "s".repeat(40);
const SECRETS = { RELAYWATCH_TOKEN_SECRET: SECRET, RELAYWATCH_RELAY_SECRET: SECRET };
/** The bound a signal must be honoured in. */
const STOP_MS = 5_000;

/**
 * HTTP servers that take requests and never answer: whoever waits on one is "starting". Each
 * test has its own (silentServer()), so a request still coming from an earlier test's
 * process never counts as this one's.
 */
const silentServers: Server[] = [];
/** One for the tests that only need somewhere to hang (the probe's SFU). */
let silentUrl: string;

async function silentServer(): Promise<{ url: string; asked: () => boolean }> {
  let requests = 0;
  const server = createServer(() => { requests++; });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  silentServers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, asked: () => requests > 0 };
}

beforeAll(async () => {
  silentUrl = (await silentServer()).url;
});

afterAll(async () => {
  for (const server of silentServers) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => { r(); }));
  }
});

/** Waits until `ready` holds (the test's moment), sends SIGTERM and checks the exit. */
async function terminateWhen(run: RunningCli, ready: () => boolean, expectCode: number, what: string): Promise<void> {
  expect(await waitFor(ready, 60_000), `${what}: ${run.stderr()}`).toBe(true);
  const sentAt = Date.now();
  run.child.kill("SIGTERM");
  const r = await run.exited;
  expect(r.code, run.stderr()).toBe(expectCode);
  expect(r.exitedAt - sentAt).toBeLessThanOrEqual(STOP_MS);
  expect(run.stderr()).not.toMatch(/^\s+at /m);
}

describe("SIGTERM while running", () => {
  it("sfu closes its node and engine, exits 0, port free", async () => {
    const port = await freePort();
    const run = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", "", "--log-level", "warn"], { env: SECRETS });
    await terminateWhen(run, () => run.stdout().includes("listening"), 0, "sfu listening");
    expect(await canBindTcp(port)).toBe(true);
  }, 90_000);

  it("analyze closes the analyzer and its store, exits 0, port free", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-signals-"));
    const run = startCli(["analyze", "--listen", `127.0.0.1:${port}`, "--store", join(dir, "store"), "--log-level", "warn"], { cwd: dir });
    await terminateWhen(run, () => run.stderr().includes("listening on"), 0, "analyzer listening");
    expect(await canBindTcp(port)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it("probe stops its agent and metrics server, exits 0, port free", async () => {
    const port = await freePort();
    const run = startCli(["probe", "--region", "r1", "--regions", "r1,r2", "--sfu", silentUrl, "--metrics-port", String(port), "--log-level", "debug"]);
    await terminateWhen(run, () => run.stderr().includes("metrics endpoint listening"), 0, "probe metrics up");
    expect(await canBindTcp(port)).toBe(true);
  }, 90_000);
});

describe("SIGTERM while starting", () => {
  it("sfu between choosing its engine and listening: exits 0, nothing listening", async () => {
    const port = await freePort();
    const run = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", "", "--log-level", "info"], { env: SECRETS });
    // The first log line is the engine choice; the node has not started yet (the listening line comes later).
    await terminateWhen(run, () => run.stderr().includes("media engine chosen"), 0, "engine chosen");
    expect(await canBindTcp(port)).toBe(true);
  }, 90_000);

  it("tui waiting for an analyzer that does not answer: exits 0 at once, not after the reachability timeout", async () => {
    const silentOne = await silentServer();
    const run = startCli(["tui", "--analyzer", silentOne.url]);
    await terminateWhen(run, silentOne.asked, 0, "tui asking the analyzer");
    expect(run.stderr()).toBe("");
  }, 90_000);

  it("lab wan (a task) waiting on its control API: exits 143", async () => {
    const silentOne = await silentServer();
    const run = startCli(["lab", "wan", "show", "--url", silentOne.url]);
    await terminateWhen(run, silentOne.asked, 143, "lab wan asking");
  }, 90_000);

  it("a second signal exits at once", async () => {
    const silentOne = await silentServer();
    const run = startCli(["lab", "wan", "show", "--url", silentOne.url]);
    expect(await waitFor(silentOne.asked, 60_000)).toBe(true);
    run.child.kill("SIGINT");
    run.child.kill("SIGINT");
    const r = await run.exited;
    expect(r.code).toBe(130);
  }, 90_000);
});
