// The probe agent's ingest sink keeps what it has not delivered on disk: results submitted
// while the analyzer is down survive the sink's own restart and reach a real analyzer (with
// its token) once it is up, each window once; beyond the cap the oldest are dropped, counted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { Analyzer } from "../../analyzer/analyzer.js";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { parseConfig } from "../../core/config.js";
import { IngestSink } from "../../probes/delivery/ingest-sink.js";
import { ProbeMetrics } from "../../probes/metrics.js";
import { probe } from "../support/analyzer-fixtures.js";
import { freePort, waitFor } from "../support/ports.js";

const TOKEN = "agent-spool-analyzer-token-0123456";
const dir = mkdtempSync(join(tmpdir(), "relaywatch-agent-spool-"));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const fastRetry = { baseMs: 20, maxMs: 100 };
const windows = (n: number, t0: number) => Array.from({ length: n }, (_, i) => probe("us-east", "eu-west", i % 2 === 0 ? "ok" : "no_media", t0 + i * 1000));

describe("the probe agent's ingest spool", () => {
  it("delivers, after the agent's restart, every result submitted while the analyzer was down — once each", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const spoolDir = join(dir, "agent");
    const token = issueAgentToken(TOKEN, "eu-west");
    const t0 = Date.now() - 60_000;
    const first = await IngestSink.open({ analyzerUrl: url, agent: "probe-eu-west", metrics: new ProbeMetrics(new Registry()), token, spoolDir, backoff: fastRetry, flushDelayMs: 10 });
    first.submit(windows(10, t0).slice(0, 5));
    first.submit(windows(10, t0).slice(5));
    await new Promise((r) => setTimeout(r, 200));
    await first.close();
    expect(first.stats()).toMatchObject({ submitted: 10, delivered: 0, buffered: 10, dropped: { buffer_full: 0, rejected: 0, shutdown: 0 } });

    const config = parseConfig({ regions: [{ name: "us-east", url: "http://127.0.0.1:9" }, { name: "eu-west", url: "http://127.0.0.1:9" }], analyzer: { listen: `127.0.0.1:${port}`, token: TOKEN } });
    const analyzer = await Analyzer.start({ config, registry: new Registry() });
    try {
      const second = await IngestSink.open({ analyzerUrl: url, agent: "probe-eu-west", metrics: new ProbeMetrics(new Registry()), token, spoolDir, backoff: fastRetry, flushDelayMs: 10 });
      expect(await waitFor(() => second.stats().delivered === 10, 10_000), JSON.stringify(second.stats())).toBe(true);
      await second.close();
      expect(analyzer.engine.matrix.pair("us-east", "eu-west")?.recent).toHaveLength(10);
      // A third start finds nothing left to send.
      const third = await IngestSink.open({ analyzerUrl: url, agent: "probe-eu-west", metrics: new ProbeMetrics(new Registry()), token, spoolDir, backoff: fastRetry });
      expect(third.stats().submitted).toBe(0);
      await third.close();
    } finally {
      await analyzer.close();
    }
  });

  it("keeps at most maxBuffered results across a restart, dropping the oldest and counting them", async () => {
    const spoolDir = join(dir, "capped");
    const url = `http://127.0.0.1:${await freePort()}`;
    const a = await IngestSink.open({ analyzerUrl: url, agent: "a", metrics: new ProbeMetrics(new Registry()), spoolDir, maxBuffered: 600, maxBatch: 500, backoff: fastRetry });
    const rs = windows(900, Date.now() - 600_000);
    for (let i = 0; i < 900; i += 100) a.submit(rs.slice(i, i + 100));
    await a.close();
    expect(a.stats()).toMatchObject({ submitted: 900, buffered: 600, dropped: { buffer_full: 300 } });
    const b = await IngestSink.open({ analyzerUrl: url, agent: "a", metrics: new ProbeMetrics(new Registry()), spoolDir, maxBuffered: 600, maxBatch: 500, backoff: fastRetry });
    expect(b.stats()).toMatchObject({ submitted: 600, buffered: 600, dropped: { buffer_full: 0 } });
    await b.close();
  });
});
