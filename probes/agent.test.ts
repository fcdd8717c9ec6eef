import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { probeResultSchema, type ProbeResult } from "../core/probe-result.js";
import type { Region } from "../core/region.js";
import { ProbeAgent, type ProbeAgentOptions } from "./agent.js";
import { emptySinkStats, type ProbeSink, type SinkStats } from "./delivery/sink.js";
import { OneEngineSfu } from "../test/support/one-engine-sfu.js";

/** Collects what the agent submits (the delivery path has its own tests). */
class MemorySink implements ProbeSink {
  readonly name = "memory";
  readonly results: ProbeResult[] = [];
  submit(results: readonly ProbeResult[]): void {
    this.results.push(...results);
  }
  stats(): SinkStats {
    return { ...emptySinkStats(), submitted: this.results.length, delivered: this.results.length };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const REGIONS: Region[] = ["us-west", "eu-west", "eu-central"];
const INTERVAL = 500;
const ROTATE = 4000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function world(options: Partial<ProbeAgentOptions> = {}): Promise<{ sfu: OneEngineSfu; agents: ProbeAgent[]; sinks: MemorySink[]; registries: Registry[] }> {
  const sfu = await OneEngineSfu.start(REGIONS);
  cleanups.push(() => sfu.close());
  const agents: ProbeAgent[] = [];
  const sinks: MemorySink[] = [];
  const registries: Registry[] = [];
  for (const region of REGIONS) {
    const sink = new MemorySink();
    const registry = new Registry();
    const agent = new ProbeAgent({ region, regions: REGIONS, sfuUrl: sfu.url(region), intervalMs: INTERVAL, rotateMs: ROTATE, connectTimeoutMs: 3000, requestTimeoutMs: 3000, sink, registry, ...options });
    cleanups.push(() => agent.close());
    agents.push(agent);
    sinks.push(sink);
    registries.push(registry);
  }
  for (const a of agents) a.start();
  return { sfu, agents, sinks, registries };
}

function windowsOf(agent: ProbeAgent, n: number): Promise<ProbeResult[][]> {
  return new Promise((resolve) => {
    const out: ProbeResult[][] = [];
    const off = agent.events.on("window", (results) => {
      out.push(results);
      if (out.length === n) {
        off();
        resolve(out);
      }
    });
  });
}

/** Waits (at most `max` windows) for a window in which every agent's results satisfy `check`. */
async function untilWindow(all: ProbeAgent[], check: (w: ProbeResult[]) => boolean, max: number): Promise<{ ok: boolean; last: string }> {
  let last: ProbeResult[] = [];
  for (let i = 0; i < max; i++) {
    last = (await Promise.all(all.map((a) => windowsOf(a, 1)))).flat(2);
    if (check(last)) return { ok: true, last: "" };
  }
  return { ok: false, last: last.map((r) => `${r.src}→${r.dst} ${r.status}: ${r.reason}`).join("\n") };
}

describe("ProbeAgent against real WHIP/WHEP on loopback (one shared werift engine)", () => {
  it("measures every ordered pair ok within 3 windows and stays ok across track rotations", async () => {
    const { agents, sinks, registries } = await world();
    const all = await Promise.all(agents.map((a) => windowsOf(a, 20))); // 10 s: two rotation boundaries
    for (const [i, windows] of all.entries()) {
      const dst = REGIONS[i];
      for (const results of windows) for (const r of results) expect(probeResultSchema.parse(r)).toEqual(r);
      const firstOk = windows.findIndex((w) => w.length === 2 && w.every((r) => r.status === "ok"));
      expect(firstOk, `${dst}: first all-ok window`).toBeGreaterThanOrEqual(0);
      expect(firstOk, `${dst}: first all-ok window`).toBeLessThan(3);
      const later = windows.slice(firstOk).flat().filter((r) => r.status !== "ok");
      expect(later.map((r) => `${r.src}→${r.dst} ${r.status}: ${r.reason}`)).toEqual([]);
      const tracks = new Set(windows.flat().map((r) => r.track));
      expect(tracks.size, "rotated onto new tracks").toBeGreaterThanOrEqual(4);
      const ok = windows.slice(firstOk + 1).flat();
      for (const r of ok) {
        expect(r.dst).toBe(dst);
        expect(r.relayPath).toEqual([r.src, r.dst]);
        // Loopback, but three agents and the SFU share this process's event loop; a window the
        // agent stalled in reports no latency (probes/stats/stall-meter.ts).
        if (r.latencyP95Ms !== null) expect(r.latencyP95Ms).toBeLessThan(250);
        expect(r.setupMs).not.toBeNull();
        expect(r.ttfpMs).toBeGreaterThanOrEqual(r.setupMs ?? 0);
      }
      // Loss across rotations is accounted: the whole run sent ≈ received, at the configured rate.
      const sent = ok.reduce((s, r) => s + r.sent, 0);
      expect(sent / (ok.length * 25), "50 pps × 0.5 s windows").toBeGreaterThan(0.8);
      const lost = ok.reduce((s, r) => s + r.lost, 0);
      expect(lost / sent).toBeLessThan(0.02);
    }
    expect(sinks[0]?.results.length).toBeGreaterThanOrEqual(40);
    const text = await registries[0]!.metrics();
    expect(text).toMatch(/relaywatch_probe_pair_status\{src="eu-west",dst="us-west",status="ok"\} 1/);
    expect(text).toMatch(/relaywatch_probe_setup_seconds_count\{kind="subscribe"\} [1-9]/);
    // A histogram (one observation per window), never a gauge with a quantile label.
    expect(text).toMatch(/relaywatch_probe_latency_seconds_count\{src="eu-central",dst="us-west"\} [1-9]/);
    expect(text).not.toContain("quantile=");
  }, 30_000);

  it("sends in bursts with sendIntervalMs (probe --send-interval): the same rate, loss and latency figures", async () => {
    const { agents } = await world({ sendIntervalMs: INTERVAL / 5 });
    const all = await Promise.all(agents.map((a) => windowsOf(a, 8)));
    for (const windows of all) {
      const firstOk = windows.findIndex((w) => w.length === 2 && w.every((r) => r.status === "ok"));
      expect(firstOk).toBeGreaterThanOrEqual(0);
      expect(firstOk).toBeLessThan(3);
      const ok = windows.slice(firstOk + 1).flat();
      expect(ok.filter((r) => r.status !== "ok").map((r) => `${r.src}→${r.dst} ${r.status}: ${r.reason}`)).toEqual([]);
      const sent = ok.reduce((s, r) => s + r.sent, 0);
      expect(sent / (ok.length * 25), "50 pps × 0.5 s windows, in 100 ms bursts").toBeGreaterThan(0.8);
      expect(ok.reduce((s, r) => s + r.lost, 0) / sent).toBeLessThan(0.02);
      for (const r of ok) if (r.latencyP95Ms !== null) expect(r.latencyP95Ms).toBeLessThan(250);
    }
  }, 30_000);

  it("reports region_offline into an offline region and http_error out of it, with the HTTP status in the reason", async () => {
    const { sfu, agents } = await world();
    await Promise.all(agents.map((a) => windowsOf(a, 4)));
    await sfu.setOffline("eu-central", true);
    // Settles within a few windows: drained sessions go silent, re-subscribes get 503 / 404.
    const settledOffline = await untilWindow(agents, (w) => {
      const into = w.filter((r) => r.dst === "eu-central");
      const outOf = w.filter((r) => r.src === "eu-central");
      const rest = w.filter((r) => r.src !== "eu-central" && r.dst !== "eu-central");
      return into.every((r) => r.status === "region_offline" && /^HTTP 503 .*region offline, retry after 2\.0 s/.test(r.reason)) &&
        outOf.every((r) => r.status === "http_error" && /^HTTP 404 /.test(r.reason)) && rest.every((r) => r.status === "ok");
    }, 20);
    expect(settledOffline.ok, settledOffline.last).toBe(true);
    await sfu.setOffline("eu-central", false);
    const back = await untilWindow(agents, (w) => w.every((r) => r.status === "ok"), 20);
    expect(back.ok, back.last).toBe(true);
  }, 40_000);

  it("with --failover, the sessions of an offline region's agent move to the next SFU and come home when it serves again", async () => {
    const sfu = await OneEngineSfu.start(REGIONS);
    cleanups.push(() => sfu.close());
    const others = (r: Region): string[] => REGIONS.filter((o) => o !== r).map((o) => sfu.url(o));
    const registries = new Map<Region, Registry>();
    const agents = REGIONS.map((region) => {
      const registry = new Registry();
      registries.set(region, registry);
      const agent = new ProbeAgent({ region, regions: REGIONS, sfuUrl: sfu.url(region), failover: others(region), failoverHoldMs: 1000, intervalMs: INTERVAL, rotateMs: ROTATE, connectTimeoutMs: 3000, requestTimeoutMs: 3000, sink: new MemorySink(), registry });
      cleanups.push(() => agent.close());
      return agent;
    });
    for (const a of agents) a.start();
    const central = agents[REGIONS.indexOf("eu-central")]!;
    const failedOver = async (): Promise<number | undefined> => (await registries.get("eu-central")?.getSingleMetric("relaywatch_probe_failed_over")?.get())?.values[0]?.value;
    const allOk = (w: ProbeResult[]): boolean => w.every((r) => r.status === "ok");
    expect((await untilWindow(agents, allOk, 12)).ok).toBe(true);
    expect(central.servingSfu).toBe(sfu.url("eu-central"));

    await sfu.setOffline("eu-central", true);
    // Its clients move: every pair — eu-central's included — is ok again, served elsewhere.
    const moved = await untilWindow(agents, (w) => allOk(w) && central.servingSfu !== sfu.url("eu-central"), 24);
    expect(moved.ok, moved.last).toBe(true);
    expect(others("eu-central")).toContain(central.servingSfu);
    expect(await failedOver()).toBe(1);
    const [w] = await windowsOf(central, 1);
    for (const r of w ?? []) expect(r.reason, `${r.src}→${r.dst}`).toMatch(/failed over: subscribed in (us-west|eu-west)/);
    // The fresh track went to the failover SFU. (A publication drained by the home SFU may
    // still count as live: its client learns only when ICE/DTLS give up; it ends with its rotation.)
    const live = central.publications().filter((p) => p.phase === "live");
    expect(live.map((p) => p.sessionUrl).some((u) => u !== null && !u.startsWith(`${sfu.url("eu-central")}/`)), JSON.stringify(live)).toBe(true);

    await sfu.setOffline("eu-central", false);
    // After the hold, new sessions (the next rotation's at the latest) try home first again.
    const home = await untilWindow(agents, (w) => allOk(w) && central.servingSfu === sfu.url("eu-central"), 24);
    expect(home.ok, home.last).toBe(true);
    expect(await failedOver()).toBe(0);
  }, 60_000);

  it("reports timeout when WHEP answers do not come in time", async () => {
    const { sfu, agents } = await world({ requestTimeoutMs: 400 });
    sfu.setWhepDelay("eu-west", 2000);
    const windows = await windowsOf(agents[1]!, 6);
    const last = windows.at(-1)!;
    expect(last.map((r) => r.status)).toEqual(["timeout", "timeout"]);
    expect(last[0]!.reason).toBe("no WHEP answer within 400 ms");
  }, 30_000);

  it("refuses a rotation that is not a multiple of the interval, naming the option", () => {
    expect(() => new ProbeAgent({ region: "a", regions: ["a", "b"], sfuUrl: "http://127.0.0.1:1", intervalMs: 1000, rotateMs: 2500, sink: new MemorySink(), registry: new Registry() })).toThrow(/--rotate: got 2500/);
    expect(() => new ProbeAgent({ region: "a", regions: ["a", "b"], sink: new MemorySink(), registry: new Registry() })).toThrow(/--sfu/);
  });
});
