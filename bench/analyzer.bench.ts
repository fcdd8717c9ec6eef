// Analyzer benches:
//  1. detector cost per SFU event on a 20-region mesh with 1k, 10k and 100k tracks — the
//     incremental engine (graph + RelayLoop/MissingRelay/StaleRelay + alert book) against
//     a full-recompute baseline (apply the event, then Tarjan SCC over the whole graph);
//  2. probe ingest throughput: results/s accepted over HTTP, validated and persisted to
//     the embedded chdb store;
//  3. time-to-detect on loopback from a region reporting a looped relay (SSE) to the alert
//     leaving the analyzer — against ScriptedRegionServer stand-ins, so the figure is the
//     analyzer's own part; bench/detect.bench.ts measures it on real region nodes, up to
//     Alertmanager.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import type { Alert } from "../core/alert.js";
import { parseConfig } from "../core/config.js";
import { DEFAULT_REGIONS } from "../core/region.js";
import type { SfuEvent } from "../core/sfu-state.js";
import { Analyzer } from "../analyzer/analyzer.js";
import { AnalyzerEngine } from "../analyzer/engine.js";
import { tarjanCyclicComponents } from "../analyzer/graph/cycles.js";
import { activeUpstream } from "../analyzer/graph/relay-graph.js";
import { trackEntry } from "../test/support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../test/support/scripted-region-server.js";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { seededRandom } from "../core/random.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";

const REGIONS = Array.from({ length: 20 }, (_, i) => `r${String(i).padStart(2, "0")}`);
const THRESHOLDS = { probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000 };

/** A mesh where every track has an origin and 4 relayed copies in a cascade. */
function buildEngine(tracks: number, rnd: () => number): { engine: AnalyzerEngine; seq: Map<string, number> } {
  const engine = new AnalyzerEngine(THRESHOLDS);
  const seq = new Map<string, number>();
  for (let i = 0; i < tracks; i++) {
    const track = `room${i}/cam`;
    const picks = pick(rnd, 5);
    const origin = picks[0]!;
    engine.graph.upsert(origin, trackEntry(track, { local: true, origin, state: "flowing", packets: 100, updatedAt: 0 }), 0);
    for (let k = 1; k < picks.length; k++) engine.graph.upsert(picks[k]!, trackEntry(track, { upstream: picks[k - 1]!, origin, state: "flowing", subscribers: 1, packets: 100, updatedAt: 0 }), 0);
  }
  return { engine, seq };
}

function pick(rnd: () => number, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(REGIONS[Math.floor(rnd() * REGIONS.length)]!);
  return [...out];
}

/**
 * Events on random copies: `churn` of them re-point the upstream to a random region (often
 * one without the track, sometimes closing a loop — a pathological mesh); the rest are the
 * periodic packet/subscriber updates that dominate a real region's stream.
 */
function makeEvents(engine: AnalyzerEngine, tracks: number, count: number, rnd: () => number, seq: Map<string, number>, churn = 0.5): SfuEvent[] {
  const out: SfuEvent[] = [];
  for (let i = 0; i < count; i++) {
    const track = `room${Math.floor(rnd() * tracks)}/cam`;
    const t = engine.graph.track(track)!;
    const nodes = [...t.nodes.values()].filter((n) => !n.local);
    const n = nodes[Math.floor(rnd() * nodes.length)]!;
    const s = (seq.get(n.region) ?? 0) + 1;
    seq.set(n.region, s);
    const upstream = rnd() < churn ? REGIONS[Math.floor(rnd() * REGIONS.length)]! : n.upstream;
    out.push({ type: "track", seq: s, ts: i, region: n.region, entry: trackEntry(track, { upstream, state: "flowing", subscribers: 1, packets: 100 + i, updatedAt: i }) });
  }
  return out;
}

function incremental(engine: AnalyzerEngine, events: readonly SfuEvent[]): number {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) engine.applyEvent(events[i]!, i);
  return ((performance.now() - t0) * 1000) / events.length;
}

function fullRecompute(engine: AnalyzerEngine, events: readonly SfuEvent[]): number {
  const t0 = performance.now();
  for (const ev of events) {
    if (ev.type !== "track") continue;
    engine.graph.upsert(ev.region, ev.entry, 0);
    const vertices: string[] = [];
    for (const t of engine.graph.allTracks()) for (const r of t.nodes.keys()) vertices.push(`${t.track}|${r}`);
    tarjanCyclicComponents(vertices, (v) => {
      const bar = v.lastIndexOf("|");
      const track = v.slice(0, bar);
      const up = activeUpstream(engine.graph.node(track, v.slice(bar + 1)));
      return up === null || engine.graph.node(track, up) === undefined ? [] : [`${track}|${up}`];
    });
  }
  return ((performance.now() - t0) * 1000) / events.length;
}

function detectorCost(report: Reporter): void {
  const perEvent = new Map<number, number>();
  for (const tracks of [1_000, 10_000, 100_000]) {
    const rnd = seededRandom(tracks);
    report.progress(`building a 20-region mesh with ${tracks} tracks`);
    const { engine, seq } = buildEngine(tracks, rnd);
    const steady = makeEvents(engine, tracks, 300_000, rnd, seq, 0.02);
    incremental(engine, steady.slice(0, 50_000)); // warm-up (JIT)
    const us = incremental(engine, steady.slice(50_000));
    perEvent.set(tracks, us);
    const events = makeEvents(engine, tracks, 200_000, rnd, seq, 0.5);
    const churnUs = incremental(engine, events);
    report.figure(`detector cost per event, 20 regions, ${tracks} tracks, 50% upstream churn`, churnUs, "µs", { note: `worst case: half the events re-point a copy at random; loops now ${engine.loops.loopCount}` });
    const baselineEvents = makeEvents(engine, tracks, Math.max(5, Math.round(2_000_000 / (tracks * 5))), rnd, seq);
    const baseUs = fullRecompute(engine, baselineEvents);
    report.figure(`detector cost per event, 20 regions, ${tracks} tracks`, us, "µs", { baseline: baseUs, note: `2% upstream changes; full-recompute Tarjan baseline ${baseUs.toFixed(0)} µs/event; speed-up ×${(baseUs / us).toFixed(0)}` });
    report.figure(`events/s on one core, ${tracks} tracks`, 1e6 / us, "events/s", { note: "goal ≥ 100k/s" });
  }
  const ratio = (perEvent.get(100_000) ?? 0) / (perEvent.get(1_000) ?? 1);
  report.figure("per-event cost 100k/1k tracks", ratio, "ratio", { note: "goal ≤ 1.5 (flat)" });
}

async function postAll(url: string, bodies: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${url}/v1/ingest/probes`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function ingestThroughput(report: Reporter): Promise<void> {
  const total = 200_000;
  const batch = 5_000;
  // Within the ingest's skew window (10 min behind): 10,000 windows per pair, 50 ms apart.
  const results = makeProbeResults(total, { start: Date.now() - 540_000, stepMs: 50, seed: 3 });
  const bodies: string[] = [];
  for (let i = 0; i < total; i += batch) bodies.push(JSON.stringify({ agent: "bench", results: results.slice(i, i + batch) }));
  // The ingest takes only configured regions; their APIs are not what this measures (closed port).
  const config = parseConfig({ regions: DEFAULT_REGIONS.map((name) => ({ name, url: "http://127.0.0.1:9" })), analyzer: { listen: "127.0.0.1:0" } });

  const memory = await Analyzer.start({ config, registry: new Registry() });
  try {
    const t0 = performance.now();
    await postAll(memory.url, bodies);
    report.figure("probe ingest accepted+validated (no store)", total / ((performance.now() - t0) / 1000), "results/s", { note: "HTTP + JSON + zod + matrix" });
  } finally {
    await memory.close();
  }

  const dir = await mkdtemp(join(tmpdir(), "relaywatch-bench-analyzer-"));
  const store = await ChdbStore.open({ path: join(dir, "data"), database: "bench_analyzer" });
  try {
    await migrate(store);
    const analyzer = await Analyzer.start({ config, store, spoolDir: join(dir, "spool"), registry: new Registry() });
    try {
      report.progress(`posting ${total} probe results in batches of ${batch}`);
      const t0 = performance.now();
      await postAll(analyzer.url, bodies);
      const accepted = (performance.now() - t0) / 1000;
      await analyzer.writer?.flush();
      const seconds = (performance.now() - t0) / 1000;
      const [row] = await store.query<{ c: number | string }>(`SELECT count() AS c FROM ${store.database}.probe_results`);
      if (Number(row?.c) !== total) throw new Error(`persisted ${String(row?.c)} of ${total}`);
      report.figure("probe ingest accepted+validated+persisted", total / seconds, "results/s", { note: `goal ≥ 50k/s; accepting took ${accepted.toFixed(1)} s, the rest is the chdb insert through StoreWriter` });
    } finally {
      await analyzer.close();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeToDetect(report: Reporter): Promise<void> {
  const a = new ScriptedRegionServer("eu-central");
  const b = new ScriptedRegionServer("eu-west");
  const o = new ScriptedRegionServer("us-west");
  for (const s of [a, b, o]) await s.start();
  let onSend: ((alerts: readonly Alert[]) => void) | null = null;
  const probeSink = { name: "bench", resend: false, send: (alerts: readonly Alert[]) => { onSend?.(alerts); return Promise.resolve(); } };
  const config = parseConfig({ regions: [a, b, o].map((s) => ({ name: s.region, url: s.url })), analyzer: { listen: "127.0.0.1:0" } });
  const analyzer = await Analyzer.start({ config, registry: new Registry(), sinks: [probeSink] });
  try {
    while ([...analyzer.engine.regions.all()].some((r) => !r.connected)) await new Promise((r) => setTimeout(r, 10));
    const samples: number[] = [];
    for (let i = 0; i < 120; i++) {
      const track = `room/t${i}`;
      o.emit({ type: "track", entry: trackEntry(track, { local: true, origin: "us-west", state: "flowing" }) });
      a.emit({ type: "track", entry: trackEntry(track, { upstream: "eu-west", origin: "us-west", subscribers: 1 }) });
      const fired = new Promise<number>((resolve) => {
        onSend = (alerts) => { if (alerts.some((x) => x.name === "RelayLoop" && x.labels["track"] === track && x.state === "firing")) resolve(performance.now()); };
      });
      const t0 = performance.now();
      b.emit({ type: "track", entry: trackEntry(track, { upstream: "eu-central", origin: "us-west", subscribers: 1 }) });
      samples.push((await fired) - t0);
      b.emit({ type: "track", entry: trackEntry(track, { upstream: "us-west", origin: "us-west", subscribers: 1 }) });
    }
    const sorted = sortedCopy(samples.slice(20));
    const note = "loopback SSE from ScriptedRegionServer stand-ins: the analyzer's part alone (real nodes: the detect bench); goal p99 < 100 ms";
    report.figure("time-to-detect RelayLoop p50 (region event → alert leaves)", quantile(sorted, 0.5), "ms", { note });
    report.figure("time-to-detect RelayLoop p99 (region event → alert leaves)", quantile(sorted, 0.99), "ms", { note });
  } finally {
    await analyzer.close();
    for (const s of [a, b, o]) await s.close();
  }
}

const bench: Bench = {
  name: "analyzer",
  description: "detector cost per event vs full-recompute Tarjan, probe ingest throughput, time-to-detect",
  async run(report) {
    detectorCost(report);
    await ingestThroughput(report);
    await timeToDetect(report);
  },
};

export default bench;
