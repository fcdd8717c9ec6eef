// Analyzer.start() fails at each of its steps in turn — the store writer, the API socket,
// the outputs (metrics, dispatcher), the region watchers and timers — and leaves nothing
// behind: the port binds again, no connection to a region stays open, no timer, socket or
// file descriptor is left. Real failures where they exist (a spool path that is a file, a
// port in use, a registry that already holds the metrics); the last step's failure is
// injected through the clock.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock, type Clock } from "../core/clock.js";
import { parseConfig } from "../core/config.js";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { RemoteStore } from "../store/remote-backend.js";
import { StoreWriter } from "../store/writer.js";
import { Analyzer, SWEEP_INTERVAL_MS } from "./analyzer.js";
import { freePort } from "../lab/world/ports.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-analyzer-lifecycle-"));
let store: ChdbStore;
/** A region that accepts connections and never answers: a watcher's request stays open until closed. */
let region: Server;
let regionUrl: string;

beforeAll(async () => {
  store = await ChdbStore.open({ path: join(dir, "ch"), database: "lifecycle" });
  await migrate(store);
  region = createServer(() => undefined);
  await new Promise<void>((r) => region.listen(0, "127.0.0.1", r));
  regionUrl = `http://127.0.0.1:${(region.address() as { port: number }).port}`;
});

afterAll(async () => {
  region.closeAllConnections();
  await new Promise<void>((r) => region.close(() => { r(); }));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(port: number): ReturnType<typeof parseConfig> {
  return parseConfig({
    regions: [{ name: "us-west", url: regionUrl }],
    analyzer: { listen: `127.0.0.1:${port}` },
    // A sink that re-sends: the dispatcher holds a resend timer that must be cancelled.
    alerting: { alertmanager: ["http://127.0.0.1:9/"] },
  });
}

/** What this process holds open: file descriptors (sockets, files) and active libuv resources by kind. */
function held(): { fds: number; resources: Record<string, number> } {
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return { fds: readdirSync("/proc/self/fd").length, resources };
}

async function regionConnections(): Promise<number> {
  return new Promise((resolve, reject) => region.getConnections((err, n) => { if (err) reject(err); else resolve(n); }));
}

async function canBind(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once("error", () => { resolve(false); });
    s.listen(port, "127.0.0.1", () => s.close(() => { resolve(true); }));
  });
}

/** Waits for closes in flight (sockets, aborted requests) to settle, then reads what is held. */
async function heldAfterSettling(): Promise<ReturnType<typeof held>> {
  await new Promise((r) => setTimeout(r, 300));
  return held();
}

describe("Analyzer.start() leaves nothing open when a step fails", () => {
  it("the store writer cannot open its spool (the path is a file): nothing bound", async () => {
    const port = await freePort();
    const spoolFile = join(dir, "not-a-dir");
    writeFileSync(spoolFile, "");
    const before = await heldAfterSettling();
    await expect(Analyzer.start({ config: config(port), store, spoolDir: join(spoolFile, "spool"), registry: new Registry() })).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await canBind(port)).toBe(true);
    expect(await heldAfterSettling()).toEqual(before);
  });

  it("the API port is in use: the store writer opened before it (replaying a spool, with retries pending) is closed", async () => {
    const port = await freePort();
    // A ClickHouse server that is down and a spool left by an earlier run: the writer replays
    // at open, fails, and keeps a retry timer until it is closed.
    const down = RemoteStore.open({ url: "http://127.0.0.1:1", username: "default", password: "", database: "relaywatch" });
    const spoolDir = join(dir, "spool-port");
    const earlier = await StoreWriter.open({ store: down, spoolDir });
    earlier.write("alerts", [{ fingerprint: "x" }]);
    await earlier.close();
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(port, "127.0.0.1", r));
    try {
      const before = await heldAfterSettling();
      await expect(Analyzer.start({ config: config(port), store: down, spoolDir, registry: new Registry() })).rejects.toThrow(/EADDRINUSE/);
      expect(await heldAfterSettling()).toEqual(before);
    } finally {
      await new Promise<void>((r) => holder.close(() => { r(); }));
    }
    expect(await canBind(port)).toBe(true);
  });

  it("the metrics cannot register (the registry already holds an analyzer's): socket and writer closed", async () => {
    const port = await freePort();
    const registry = new Registry();
    const first = await Analyzer.start({ config: config(await freePort()), registry });
    await first.close();
    const before = await heldAfterSettling();
    await expect(Analyzer.start({ config: config(port), store, spoolDir: join(dir, "spool-metrics"), registry })).rejects.toThrow(/already been registered/);
    expect(await canBind(port)).toBe(true);
    expect(await heldAfterSettling()).toEqual(before);
  });

  it("the sweep timer cannot be scheduled (last step): watchers, dispatcher, socket and writer closed", async () => {
    const port = await freePort();
    // Injected failure: a clock that refuses the 1 s sweep interval, the last thing start() sets up.
    const refusingClock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
      setInterval: (fn, ms) => {
        if (ms === SWEEP_INTERVAL_MS) throw new Error("injected: no sweep timer");
        return systemClock.setInterval(fn, ms);
      },
    };
    const before = await heldAfterSettling();
    await expect(Analyzer.start({ config: config(port), store, spoolDir: join(dir, "spool-timers"), registry: new Registry(), clock: refusingClock })).rejects.toThrow("injected: no sweep timer");
    expect(await canBind(port)).toBe(true);
    expect(await heldAfterSettling()).toEqual(before);
    expect(await regionConnections()).toBe(0);
  });

  it("a started analyzer's close() releases the same things, once", async () => {
    const port = await freePort();
    const before = await heldAfterSettling();
    const analyzer = await Analyzer.start({ config: config(port), store, spoolDir: join(dir, "spool-ok"), registry: new Registry() });
    expect(analyzer.url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${analyzer.url}/healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await regionConnections()).toBe(1);
    await Promise.all([analyzer.close(), analyzer.close()]);
    expect(await canBind(port)).toBe(true);
    expect(await heldAfterSettling()).toEqual(before);
    expect(await regionConnections()).toBe(0);
  });
});
