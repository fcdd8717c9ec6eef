// Every PromQL expression (dashboard panels, variables, recording and alerting rules)
// parses with Prometheus' own grammar and names only metrics that relaywatch exports:
// scraped from a real region node's and a real analyzer's /metrics, read from a real probe
// agent's registry (the agent serves no HTTP itself), or recorded by the rules file.
import { Registry } from "prom-client";
import { parseConfig } from "../core/config.js";
import { Analyzer } from "../analyzer/analyzer.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTurnServer } from "../probes/turn/ice-server.js";
import { ProbeAgent } from "../probes/agent.js";
import type { ProbeSink } from "../probes/delivery/sink.js";
import { emptySinkStats } from "../probes/delivery/sink.js";
import type { RegionNode } from "../sfu/node/region-node.js";
import { exposedMetricNames, parsePromQL, substituteGrafanaVariables } from "../test/support/promql.js";
import { promExpressions, recordedNames } from "../test/support/prom-expressions.js";
import { startRegionWithDeadPeer } from "../test/support/region-with-dead-peer.js";

/** Series Prometheus itself creates for every target. */
const PROMETHEUS_SYNTHETIC = new Set(["up"]);

/** A sink that accepts and forgets: the agent is never started, only its registry read. */
const discardSink: ProbeSink = { name: "discard", submit: () => undefined, stats: emptySinkStats, close: () => Promise.resolve() };

let node: RegionNode | undefined;
let agent: ProbeAgent | undefined;
let analyzer: Analyzer | undefined;
const TOKEN = "dashboards-test-token-0123";
const exported = new Set<string>();

beforeAll(async () => {
  const region = await startRegionWithDeadPeer("us-east", "eu-west");
  node = region;
  const res = await fetch(`${region.url}/metrics`);
  expect(res.status).toBe(200);
  for (const n of exposedMetricNames(await res.text())) exported.add(n);
  const registry = new Registry();
  // With a TURN server configured, so the TURN probe's metrics are registered too (never started: nothing is sent).
  const turn = { server: parseTurnServer("--ice-server", "turn:127.0.0.1:3478"), credentials: { kind: "static" as const, username: "u", credential: "p" } };
  agent = new ProbeAgent({ region: "us-east", regions: ["us-east", "eu-west"], sfuUrl: region.url, sink: discardSink, registry, turn });
  for (const n of exposedMetricNames(await registry.metrics())) exported.add(n);
  const config = parseConfig({ regions: [{ name: "us-east", url: region.url }], analyzer: { listen: "127.0.0.1:0", token: TOKEN } });
  const started = await Analyzer.start({ config, registry: new Registry() });
  analyzer = started;
  const scraped = await fetch(`${started.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(scraped.status).toBe(200);
  for (const n of exposedMetricNames(await scraped.text())) exported.add(n);
});

afterAll(async () => {
  await analyzer?.close();
  await agent?.close();
  await node?.close();
});

describe("PromQL in dashboards and rules", () => {
  const expressions = promExpressions();

  it("covers the Prometheus dashboards' panels and every rule", () => {
    expect(expressions.filter((e) => e.where.startsWith("rules")).length).toBeGreaterThanOrEqual(14);
    expect(expressions.filter((e) => e.where.includes("Region health")).length).toBeGreaterThan(5);
  });

  for (const e of expressions) {
    it(`${e.where} parses and names only exported metrics`, () => {
      const parsed = parsePromQL(substituteGrafanaVariables(e.expr));
      expect(parsed.errors, e.expr).toEqual([]);
      expect(parsed.metrics.length, e.expr).toBeGreaterThan(0);
      const recorded = recordedNames();
      const unknown = parsed.metrics.filter((m) => !exported.has(m) && !recorded.has(m) && !PROMETHEUS_SYNTHETIC.has(m));
      expect(unknown, `not exported by a region node, probe agent or analyzer: ${e.expr}`).toEqual([]);
    });
  }

  it("the parser reports broken PromQL (the check above can fail)", () => {
    expect(parsePromQL("sum by (region (rate(x[1m]))").errors).not.toEqual([]);
    expect(parsePromQL('rate(relaywatch_sfu_http_requests_total{status=~"5.."}[1m])').metrics).toEqual(["relaywatch_sfu_http_requests_total"]);
  });
});
