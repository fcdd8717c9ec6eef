// Issue 21: a long-running subcommand that cannot start exits — with one clear line on
// stderr (no stack trace), the documented exit code (2: usage/configuration, 1: something
// it needs is not available here) within 5 s of saying so — and leaves nothing listening.
// Real processes through the real entry point; real failures (a port held by this test, a
// path under a regular file, a worker binary that does not exist). The commands that
// start whole worlds fail here before starting one; their failures with children running
// are in test/lab/cli-lifecycle.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.js";
import { canBindTcp } from "../support/process-tree.js";
import { startCli, type RunningCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-startup-failures-"));
/** A regular file: nothing can be created below it (ENOTDIR), whoever runs the test (root too). */
const FILE = join(dir, "a-file");
const SECRET = "s".repeat(40);
const SECRETS = { RELAYWATCH_TOKEN_SECRET: SECRET, RELAYWATCH_RELAY_SECRET: SECRET };
/** A port this test holds for the whole file: "already in use" for every command that wants it. */
let held: Server;
let heldPort: number;

beforeAll(async () => {
  writeFileSync(FILE, "");
  heldPort = await freePort();
  held = createServer();
  await new Promise<void>((r) => held.listen(heldPort, "127.0.0.1", r));
});

afterAll(async () => {
  await new Promise<void>((r) => held.close(() => { r(); }));
  rmSync(dir, { recursive: true, force: true });
});

/** 5 s from the error line to the exit (the process may take longer to load on a busy machine). */
const EXIT_AFTER_ERROR_MS = 5_000;

/** The process failed as issue 21 asks; returns its one stderr line. */
async function expectCleanFailure(run: RunningCli, code: 1 | 2, line: RegExp): Promise<void> {
  const r = await run.exited;
  const lines = run.stderr().trimEnd().split("\n");
  expect(lines, run.stderr()).toHaveLength(1);
  expect(lines[0]).toMatch(/^relaywatch: /);
  expect(lines[0]).toMatch(line);
  expect(run.stderr()).not.toMatch(/^\s+at /m);
  expect(r.code, run.stderr()).toBe(code);
  expect(r.firstStderrAt).not.toBeNull();
  expect(r.exitedAt - (r.firstStderrAt ?? 0)).toBeLessThanOrEqual(EXIT_AFTER_ERROR_MS);
}

describe("relaywatch sfu refuses to start, exits and leaves nothing listening", () => {
  it("its own region among its peers: exit 2", async () => {
    const port = await freePort();
    const run = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", `r1=http://127.0.0.1:${port}`], { env: SECRETS });
    await expectCleanFailure(run, 2, /--peers: got "r1", expected a region other than this one/);
    expect(await canBindTcp(port)).toBe(true);
  }, 60_000);

  it("a port already in use: exit 1", async () => {
    const run = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${heldPort}`, "--peers", ""], { env: SECRETS });
    await expectCleanFailure(run, 1, new RegExp(`--listen 127\\.0\\.0\\.1:${heldPort}: address already in use`));
  }, 60_000);

  it("a missing secret, and a short one: exit 2, the value never shown", async () => {
    const port = await freePort();
    const missing = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", ""], { env: { RELAYWATCH_TOKEN_SECRET: SECRET, RELAYWATCH_RELAY_SECRET: "" } });
    const short = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", ""], { env: { RELAYWATCH_TOKEN_SECRET: "tooshort-secret", RELAYWATCH_RELAY_SECRET: SECRET } });
    await expectCleanFailure(missing, 2, /RELAYWATCH_RELAY_SECRET: got "", expected a secret of at least 32 bytes in the environment/);
    await expectCleanFailure(short, 2, /RELAYWATCH_TOKEN_SECRET: got "\(15 bytes, hidden\)", expected a secret of at least 32 bytes/);
    expect(short.stderr()).not.toContain("tooshort-secret");
    expect(await canBindTcp(port)).toBe(true);
  }, 60_000);

  it("an unreadable config file (peers from the config): exit 2", async () => {
    const run = startCli(["sfu", "--region", "r1", "--listen", "127.0.0.1:0", "--config", join(dir, "missing.yaml")], { env: SECRETS });
    await expectCleanFailure(run, 2, /missing\.yaml/);
  }, 60_000);

  it("--engine mediasoup with the worker binary pointing nowhere: exit 1, before any socket opens", async () => {
    const port = await freePort();
    const run = startCli(["sfu", "--region", "r1", "--listen", `127.0.0.1:${port}`, "--peers", "", "--engine", "mediasoup"], { env: { ...SECRETS, MEDIASOUP_WORKER_BIN: join(dir, "no-such-worker") } });
    await expectCleanFailure(run, 1, /--engine mediasoup: (MEDIASOUP_WORKER_BIN=.*no-such-worker is not an executable file|.*npm run setup:mediasoup)/);
    expect(await canBindTcp(port)).toBe(true);
  }, 60_000);

  it("a commander usage error (unknown option): one line, exit 2", async () => {
    const run = startCli(["sfu", "--region", "r1", "--no-such-flag"], { env: SECRETS });
    await expectCleanFailure(run, 2, /unknown option '--no-such-flag' \(see `relaywatch sfu --help`\)/);
  }, 60_000);
});

describe("relaywatch analyze refuses to start", () => {
  it("a port already in use: exit 1", async () => {
    const run = startCli(["analyze", "--listen", `127.0.0.1:${heldPort}`, "--no-store"], { cwd: dir });
    await expectCleanFailure(run, 1, new RegExp(`--listen 127\\.0\\.0\\.1:${heldPort}: address already in use`));
  }, 60_000);

  it("a store path it cannot write: exit 1, nothing listening", async () => {
    const port = await freePort();
    const run = startCli(["analyze", "--listen", `127.0.0.1:${port}`, "--store", join(FILE, "store")], { cwd: dir });
    await expectCleanFailure(run, 1, /--store .*a-file\/store: cannot write there \(.*a-file is not a directory\)/);
    expect(await canBindTcp(port)).toBe(true);
  }, 60_000);

  it("an unreadable config file: exit 2", async () => {
    const run = startCli(["analyze", "--config", dir], { cwd: dir });
    await expectCleanFailure(run, 2, /this is a directory/);
  }, 60_000);
});

describe("relaywatch probe refuses to start", () => {
  it("a --send-interval longer than a fifth of the window: exit 2", async () => {
    const run = startCli(["probe", "--region", "r1", "--sfu", "http://127.0.0.1:1", "--interval", "1s", "--send-interval", "300ms"], { cwd: dir });
    await expectCleanFailure(run, 2, /--send-interval: got "300ms", expected at most a fifth of --interval \(200 ms\)/);
  }, 60_000);

  it("its metrics port already in use: exit 1", async () => {
    const run = startCli(["probe", "--region", "r1", "--sfu", "http://127.0.0.1:1", "--metrics-port", String(heldPort)], { cwd: dir });
    await expectCleanFailure(run, 1, new RegExp(`--metrics-port 127\\.0\\.0\\.1:${heldPort}: address already in use`));
  }, 60_000);

  it("a store path it cannot write: exit 1", async () => {
    const run = startCli(["probe", "--region", "r1", "--sfu", "http://127.0.0.1:1", "--store", join(FILE, "store")], { cwd: dir });
    await expectCleanFailure(run, 1, /--store .*a-file\/store: cannot write there/);
  }, 60_000);

  it("an unreadable config file (for the store's spool): exit 2", async () => {
    const run = startCli(["probe", "--region", "r1", "--sfu", "http://127.0.0.1:1", "--store", join(dir, "store"), "--config", join(dir, "missing.yaml")], { cwd: dir });
    await expectCleanFailure(run, 2, /missing\.yaml/);
  }, 60_000);
});

describe("relaywatch tui refuses to start", () => {
  it("an analyzer nobody answers at: exit 1", async () => {
    const port = await freePort();
    const run = startCli(["tui", "--analyzer", `http://127.0.0.1:${port}`]);
    await expectCleanFailure(run, 1, new RegExp(`--analyzer: cannot reach http://127\\.0\\.0\\.1:${port}/healthz \\(ECONNREFUSED\\)`));
  }, 60_000);

  it("a replay store that does not exist: exit 1", async () => {
    const run = startCli(["tui", "--store", join(dir, "no-store"), "--at", "-5m"]);
    await expectCleanFailure(run, 1, /--store .*no-store: no store there/);
  }, 60_000);
});

describe("relaywatch up, scenario run and lab wan refuse to start before any world exists", () => {
  it("up: a data directory it cannot write: exit 1", async () => {
    const run = startCli(["up", "--no-tui", "--regions", "us-west,eu-central", "--data-dir", join(FILE, "lab")]);
    await expectCleanFailure(run, 1, /--data-dir .*a-file\/lab: cannot write there/);
  }, 60_000);

  it("up: --engine mediasoup without a worker: exit 1", async () => {
    const run = startCli(["up", "--no-tui", "--regions", "us-west,eu-central", "--engine", "mediasoup", "--data-dir", join(dir, "lab")], { env: { MEDIASOUP_WORKER_BIN: join(dir, "no-such-worker") } });
    await expectCleanFailure(run, 1, /--engine mediasoup: /);
  }, 60_000);

  it("scenario run: an unreadable scenario file: exit 2", async () => {
    const run = startCli(["scenario", "run", join(dir, "missing.yaml")]);
    await expectCleanFailure(run, 2, /FILE: got ".*missing\.yaml", expected a readable scenario file/);
  }, 60_000);

  it("scenario run: a data directory it cannot write: exit 1", async () => {
    const run = startCli(["scenario", "run", "blips", "--data-dir", join(FILE, "run")]);
    await expectCleanFailure(run, 1, /--data-dir .*a-file\/run: cannot write there/);
  }, 60_000);

  it("lab wan: a control API nobody answers at: exit 1", async () => {
    const port = await freePort();
    const run = startCli(["lab", "wan", "show", "--url", `http://127.0.0.1:${port}`]);
    const r = await run.exited;
    expect(r.code).toBe(1);
    expect(run.stderr()).toBe(`relaywatch lab wan: cannot reach the WAN emulator at http://127.0.0.1:${port} (ECONNREFUSED); is the lab running, and is --url its control API?\n`);
  }, 60_000);
});
