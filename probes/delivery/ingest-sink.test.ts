import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { probeIngestSchema, type ProbeResult } from "../../core/probe-result.js";
import { ProbeMetrics } from "../metrics.js";
import { IngestSink, INGEST_PATH } from "./ingest-sink.js";

/** A real loopback ingest that records what it accepted; can go down and come back on the same port. */
class LoopbackIngest {
  readonly received: ProbeResult[] = [];
  readonly batchIds: string[] = [];
  status = 200;
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    const app = express();
    app.use(express.json({ limit: "5mb" }));
    app.post(INGEST_PATH, (req, res) => {
      if (this.status !== 200) {
        res.status(this.status).set("retry-after", "1").json({ error: "unavailable" });
        return;
      }
      const body = probeIngestSchema.parse(req.body);
      this.received.push(...body.results);
      this.batchIds.push(String(req.headers["x-relaywatch-batch"]));
      res.status(202).json({ accepted: body.results.length });
    });
    this.server = app.listen(this.port, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

let seq = 0;
function results(n: number, t: number): ProbeResult[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: t,
    windowMs: 1000,
    src: `r${i}`,
    dst: "eu-central",
    track: `probe/r${i}.1`,
    status: "ok" as const,
    reason: `n${seq++}`,
    sent: 50,
    received: 50,
    lost: 0,
    duplicates: 0,
    reordered: 0,
    jitterMs: 0.1,
    latencyP50Ms: 10,
    latencyP95Ms: 12,
    ttfpMs: 100,
    setupMs: 90,
    relayPath: [],
  }));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(maxBuffered: number): Promise<{ ingest: LoopbackIngest; sink: IngestSink; clock: ManualClock; registry: Registry }> {
  const ingest = new LoopbackIngest();
  await ingest.start();
  cleanups.push(() => ingest.stop());
  const clock = new ManualClock(1_700_000_000_000);
  const registry = new Registry();
  const sink = new IngestSink({
    analyzerUrl: ingest.url,
    agent: "probe-eu-central",
    metrics: new ProbeMetrics(registry),
    clock,
    random: () => 0.5,
    maxBuffered,
    maxBatch: 50,
    requestTimeoutMs: 2000,
  });
  cleanups.push(() => sink.close());
  return { ingest, sink, clock, registry };
}

/** Runs `seconds` one-second windows of 9 results each (a 10-region agent), letting real HTTP settle each step. */
async function run(sink: IngestSink, clock: ManualClock, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    sink.submit(results(9, clock.now()));
    clock.advance(1000);
    await sink.whenIdle();
  }
}

async function drain(sink: IngestSink, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 60 && sink.stats().buffered > 0; i++) {
    clock.advance(5000);
    await sink.whenIdle();
  }
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? Number.NaN;
}

describe("IngestSink", () => {
  it("delivers batches to a real ingest and counts them", async () => {
    const { ingest, sink, clock } = await setup(1000);
    await run(sink, clock, 5);
    await drain(sink, clock);
    expect(ingest.received).toHaveLength(45);
    expect(sink.stats()).toEqual({ submitted: 45, delivered: 45, dropped: { buffer_full: 0, rejected: 0, shutdown: 0 }, buffered: 0 });
  });

  it("loses nothing across a 30 s ingest outage within the buffer bound; counts match after recovery", async () => {
    const { ingest, sink, clock, registry } = await setup(1000);
    await run(sink, clock, 3);
    await ingest.stop(); // connection refused for 30 s of windows
    await run(sink, clock, 30);
    expect(sink.stats().buffered).toBeGreaterThanOrEqual(270);
    await ingest.start();
    await run(sink, clock, 3);
    await drain(sink, clock);
    const st = sink.stats();
    expect(st).toEqual({ submitted: 324, delivered: 324, dropped: { buffer_full: 0, rejected: 0, shutdown: 0 }, buffered: 0 });
    expect(ingest.received).toHaveLength(324);
    expect(new Set(ingest.received.map((r) => r.reason)).size).toBe(324); // no duplicates
    expect(await metricValue(registry, "relaywatch_probe_results_delivered_total", { sink: "ingest" })).toBe(324);
    expect(await metricValue(registry, "relaywatch_probe_results_dropped_total", { sink: "ingest", reason: "buffer_full" })).toBe(0);
  });

  it("beyond the bound drops exactly the overflow, the oldest first, and says so in stats and metrics", async () => {
    const { ingest, sink, clock, registry } = await setup(100);
    await ingest.stop();
    await run(sink, clock, 30); // 270 results into a 100-result buffer
    const during = sink.stats();
    expect(during.buffered).toBe(100);
    expect(during.dropped.buffer_full).toBe(170);
    await ingest.start();
    await drain(sink, clock);
    const st = sink.stats();
    expect(st.submitted).toBe(st.delivered + st.dropped.buffer_full + st.dropped.rejected + st.dropped.shutdown + st.buffered);
    expect(st).toMatchObject({ submitted: 270, delivered: 100, dropped: { buffer_full: 170 } });
    expect(ingest.received).toHaveLength(100);
    expect(await metricValue(registry, "relaywatch_probe_results_dropped_total", { sink: "ingest", reason: "buffer_full" })).toBe(170);
    // The newest survive: the last result submitted is among those delivered.
    expect(ingest.received.at(-1)?.reason).toBe(`n${seq - 1}`);
  });

  it("retries 503 answers and keeps a batch's id across retries", async () => {
    const { ingest, sink, clock } = await setup(1000);
    ingest.status = 503;
    await run(sink, clock, 3);
    ingest.status = 200;
    await drain(sink, clock);
    expect(ingest.received).toHaveLength(27);
    expect(ingest.batchIds[0]).toMatch(/^probe-eu-central:[0-9a-f]{8}:1$/);
  });

  it("counts a batch the ingest rejects (4xx) as dropped, not retried forever", async () => {
    const { ingest, sink, clock } = await setup(1000);
    ingest.status = 400;
    await run(sink, clock, 2);
    expect(sink.stats()).toMatchObject({ submitted: 18, delivered: 0, dropped: { rejected: 18 }, buffered: 0 });
  });

  it("close() delivers what is buffered, counts what it could not, and is idempotent", async () => {
    const { ingest, sink, clock } = await setup(1000);
    sink.submit(results(9, clock.now()));
    await Promise.all([sink.close(), sink.close()]);
    expect(ingest.received).toHaveLength(9);
    expect(() => { sink.submit(results(1, 0)); }).toThrow(/closed/);

    const other = await setup(1000);
    await other.ingest.stop();
    other.sink.submit(results(9, other.clock.now()));
    await other.sink.close();
    expect(other.sink.stats()).toMatchObject({ submitted: 9, delivered: 0, dropped: { shutdown: 9 }, buffered: 0 });
  });
});
