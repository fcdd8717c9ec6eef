// Issue 19: the relay pull (client and server side) and the analyzer's ingest are HTTP, so
// their spans carry OpenTelemetry's semantic-convention names (http.request.method, url.full /
// url.path, server.address/port, http.response.status_code, error.type) and `relaywatch.*`
// only for the domain (track, region, path, upstream, batch). Real region nodes and a real
// analyzer on loopback, spans from the SDK's InMemorySpanExporter.
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Analyzer } from "../../analyzer/analyzer.js";
import { parseConfig } from "../../core/config.js";
import { probe } from "../support/analyzer-fixtures.js";
import { labScope, publish, subscribe, waitFor } from "../sfu/sfu-kit.js";

const TRACK = "live/cam";
/** What `relaywatch.*` may still name: the domain, not HTTP. */
const DOMAIN_ATTRIBUTES = ["relaywatch.region", "relaywatch.track", "relaywatch.path", "relaywatch.upstream", "relaywatch.pending", "relaywatch.decision", "relaywatch.results", "relaywatch.batch"];

function tracerFor(exporter: InMemorySpanExporter): ReturnType<BasicTracerProvider["getTracer"]> {
  return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
}

function relaywatchKeys(span: ReadableSpan | undefined): string[] {
  return Object.keys(span?.attributes ?? {}).filter((k) => k.startsWith("relaywatch."));
}

describe("HTTP span attributes", () => {
  const scope = labScope();

  it("relay.pull (client) and relay.serve (server) use the HTTP conventions; relaywatch.* only for the domain", async () => {
    const exporters = new Map<string, InMemorySpanExporter>();
    const lab = await scope.start({
      regions: ["a", "b"],
      tracer: (region) => {
        const exporter = new InMemorySpanExporter();
        exporters.set(region, exporter);
        return tracerFor(exporter);
      },
    });
    const pub = scope.defer(await publish(lab.node("a"), TRACK));
    scope.defer(pub.stream(100));
    const sub = scope.defer(await subscribe(lab.node("b"), TRACK));
    expect(sub.status, sub.body).toBe(201);
    await waitFor(() => exporters.get("a")!.getFinishedSpans().some((s) => s.name === "relay.serve") && exporters.get("b")!.getFinishedSpans().some((s) => s.name === "relay.pull"), 5000, "relay spans at a and b");

    const upstream = new URL(lab.node("a").url);
    const pull = exporters.get("b")!.getFinishedSpans().find((s) => s.name === "relay.pull");
    expect(pull?.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.full": `${upstream.origin}/relay/v1/pull?from=b`,
      "server.address": upstream.hostname,
      "server.port": Number(upstream.port),
      "http.response.status_code": 200,
      "relaywatch.upstream": "a",
      "relaywatch.track": TRACK,
    });
    expect(pull?.attributes).not.toHaveProperty("error.type");
    const serve = exporters.get("a")!.getFinishedSpans().find((s) => s.name === "relay.serve");
    expect(serve?.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/relay/v1/pull", "http.response.status_code": 200, "relaywatch.region": "a", "relaywatch.track": TRACK });
    for (const span of [pull, serve]) for (const key of relaywatchKeys(span)) expect(DOMAIN_ATTRIBUTES, `${span?.name}: ${key}`).toContain(key);
  });

  it("analyzer.ingest.probes is an HTTP server span: status code, and error.type for a refused body", async () => {
    const exporter = new InMemorySpanExporter();
    const config = parseConfig({ regions: [{ name: "us-east", url: "http://127.0.0.1:9" }, { name: "eu-west", url: "http://127.0.0.1:9" }], analyzer: { listen: "127.0.0.1:0" } });
    const analyzer = await Analyzer.start({ config, registry: new Registry(), tracer: tracerFor(exporter) });
    try {
      const post = (body: unknown): Promise<Response> => fetch(`${analyzer.url}/v1/ingest/probes`, { method: "POST", headers: { "content-type": "application/json", "x-relaywatch-batch": "b-1" }, body: JSON.stringify(body) });
      expect((await post({ agent: "t", results: [probe("us-east", "eu-west", "ok", Date.now() - 1000)] })).status).toBe(202);
      expect((await post({ agent: "t", results: "none" })).status).toBe(400);
      const [taken, refused] = exporter.getFinishedSpans().filter((s) => s.name === "analyzer.ingest.probes");
      expect(taken?.attributes).toMatchObject({ "http.request.method": "POST", "http.route": "/v1/ingest/probes", "url.path": "/v1/ingest/probes", "http.response.status_code": 202, "relaywatch.results": 1, "relaywatch.batch": "b-1" });
      expect(taken?.attributes).not.toHaveProperty("error.type");
      expect(refused?.attributes).toMatchObject({ "http.response.status_code": 400, "error.type": "400" });
      for (const span of [taken, refused]) for (const key of relaywatchKeys(span)) expect(DOMAIN_ATTRIBUTES, key).toContain(key);
    } finally {
      await analyzer.close();
    }
  });
});
