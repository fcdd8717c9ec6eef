import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import type { RegionSnapshot, SfuEvent } from "../../core/sfu-state.js";
import { trackEntry } from "../../test/support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../../test/support/scripted-region-server.js";
import { RegionWatcher } from "./region-watcher.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, timeoutMs = 5000, what = ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${what || cond.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function watch(server: ScriptedRegionServer) {
  const log = { snapshots: [] as { s: RegionSnapshot; reason: string }[], events: [] as SfuEvent[], conn: [] as string[] };
  const w = new RegionWatcher({
    region: server.region,
    url: server.url,
    fetch,
    clock: systemClock,
    logger: silentLogger,
    handlers: {
      snapshot: (s, reason) => log.snapshots.push({ s, reason }),
      event: (e) => log.events.push(e),
      connected: () => log.conn.push("up"),
      disconnected: (r) => log.conn.push(`down:${r}`),
    },
  });
  w.start();
  cleanups.push(() => w.close());
  await until(() => server.hits.events > 0 && log.conn.includes("up"));
  return { w, log };
}

describe("RegionWatcher against the ScriptedRegionServer (stand-in for the real region node)", () => {
  it("fetches the state, then streams events in sequence", async () => {
    const server = new ScriptedRegionServer("eu-west");
    server.emitSilently({ type: "track", entry: trackEntry("room/a", { upstream: "us-west" }) });
    await server.start();
    cleanups.push(() => server.close());
    const { log } = await watch(server);
    expect(log.snapshots[0]).toMatchObject({ reason: "initial", s: { seq: 1, tracks: [{ track: "room/a" }] } });
    server.emit({ type: "track", entry: trackEntry("room/b", { upstream: "us-west" }) });
    await until(() => log.events.length === 1);
    expect(log.events[0]).toMatchObject({ seq: 2, type: "track", entry: { track: "room/b" } });
  });

  it("refetches /v1/state on a sequence gap, without dropping the stream", async () => {
    const server = new ScriptedRegionServer("eu-west");
    await server.start();
    cleanups.push(() => server.close());
    const { w, log } = await watch(server);
    server.emitSilently({ type: "track", entry: trackEntry("room/missed", { upstream: "us-west" }) });
    server.emit({ type: "track", entry: trackEntry("room/next", { upstream: "us-west" }) });
    await until(() => log.snapshots.length === 2);
    expect(log.snapshots[1]).toMatchObject({ reason: "gap", s: { seq: 2 } });
    expect(log.snapshots[1]?.s.tracks.map((t) => t.track).sort()).toEqual(["room/missed", "room/next"]);
    expect(server.hits).toEqual({ state: 2, events: 1 });
    expect(w.stats()).toMatchObject({ refetches: 1, lastSeq: 2 });
    server.emit({ type: "track-removed", track: "room/missed" });
    await until(() => log.events.some((e) => e.type === "track-removed"));
  });

  it("reconnects with backoff after the region restarts, and replaces its state (new instance, seq reset)", async () => {
    const server = new ScriptedRegionServer("eu-central");
    await server.start();
    cleanups.push(() => server.close());
    const { w, log } = await watch(server);
    const firstInstance = server.instance;
    await server.stop();
    await until(() => log.conn.some((c) => c.startsWith("down:")));
    server.emitSilently({ type: "track", entry: trackEntry("room/after", { upstream: "us-west" }) });
    await server.restart();
    await until(() => log.snapshots.length === 2 && log.conn.at(-1) === "up", 10_000, JSON.stringify(log));
    expect(log.snapshots[1]).toMatchObject({ reason: "restart", s: { seq: 0 } });
    expect(log.snapshots[1]?.s.instance).not.toBe(firstInstance);
    expect(w.stats().reconnects).toBeGreaterThanOrEqual(1);
    server.emit({ type: "track", entry: trackEntry("room/live", { upstream: "us-west" }) });
    await until(() => log.events.some((e) => e.type === "track" && e.entry.track === "room/live"));
  });

  it("reports disconnected while the region cannot be reached", async () => {
    const server = new ScriptedRegionServer("ap-south");
    await server.start();
    await server.stop();
    const log: string[] = [];
    const w = new RegionWatcher({ region: "ap-south", url: server.url, fetch, clock: systemClock, logger: silentLogger, handlers: { snapshot: () => undefined, event: () => undefined, connected: () => log.push("up"), disconnected: (r) => log.push(r) } });
    w.start();
    cleanups.push(() => w.close());
    await new Promise((r) => setTimeout(r, 300));
    expect(log).toEqual([]);
    expect(w.stats().connected).toBe(false);
  });
});
