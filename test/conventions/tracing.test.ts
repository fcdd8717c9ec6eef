// The CLI's OpenTelemetry set-up (cli/tracing.ts) with the SDK's real InMemorySpanExporter:
// the resource comes from the environment (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) over
// relaywatch's defaults, the W3C propagator and an AsyncLocalStorage context manager are
// registered (the active span follows awaits; propagation.inject writes traceparent), and
// shutdown unregisters them all.
import { setTimeout as sleep } from "node:timers/promises";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTracing, type Tracing } from "../../cli/tracing.js";
import { RELAYWATCH_VERSION } from "../../core/process-metrics.js";

let tracing: Tracing | null = null;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = null;
  vi.unstubAllEnvs();
});

describe("startTracing()", () => {
  it("takes the resource from OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME over relaywatch's defaults", async () => {
    vi.stubEnv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,service.name=from-attributes,relaywatch.region=overridden");
    vi.stubEnv("OTEL_SERVICE_NAME", "edge-sfu");
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing("sfu", { "relaywatch.region": "eu-west", "relaywatch.role": "sfu" }, process.env, exporter);
    trace.getTracer("t").startSpan("s").end();
    await tracing?.flush();
    const resource = exporter.getFinishedSpans()[0]?.resource;
    await resource?.waitForAsyncAttributes?.();
    expect(resource?.attributes).toMatchObject({
      "service.name": "edge-sfu",
      "service.version": RELAYWATCH_VERSION,
      "deployment.environment.name": "staging",
      "relaywatch.region": "overridden",
      "relaywatch.role": "sfu",
      "telemetry.sdk.language": "nodejs",
    });
    expect(resource?.attributes["host.name"]).toEqual(expect.any(String));
    expect(Object.keys(resource?.attributes ?? {}).some((k) => k.startsWith("process.command"))).toBe(false);
  });

  it("defaults service.name to relaywatch-<component>", async () => {
    vi.stubEnv("OTEL_RESOURCE_ATTRIBUTES", "");
    vi.stubEnv("OTEL_SERVICE_NAME", "");
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing("analyzer", {}, process.env, exporter);
    trace.getTracer("t").startSpan("s").end();
    await tracing?.flush();
    expect(exporter.getFinishedSpans()[0]?.resource.attributes["service.name"]).toBe("relaywatch-analyzer");
  });

  it("registers the W3C propagator and an async context manager: the active span survives awaits and is injected as traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing("sfu", {}, {}, exporter);
    const tracer = trace.getTracer("t");
    const parent = tracer.startSpan("parent");
    const carrier: Record<string, string> = {};
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await sleep(5);
      tracer.startSpan("child").end();
      propagation.inject(context.active(), carrier);
    });
    parent.end();
    await tracing?.flush();
    const spans = exporter.getFinishedSpans();
    const child = spans.find((s) => s.name === "child");
    expect(child?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(carrier["traceparent"]).toBe(`00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`);

    const incoming = propagation.extract(context.active(), { traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01` });
    expect(trace.getSpanContext(incoming)?.traceId).toBe("ab".repeat(16));
  });

  it("registers nothing without an endpoint or exporter, and unregisters everything on shutdown", async () => {
    expect(await startTracing("sfu", {}, {})).toBeNull();
    tracing = await startTracing("sfu", {}, {}, new InMemorySpanExporter());
    await tracing?.shutdown();
    tracing = null;
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), trace.getTracer("t").startSpan("x")), carrier);
    expect(carrier).toEqual({});
  });
});
