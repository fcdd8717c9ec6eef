// OpenTelemetry for the long-running commands (sfu, analyze), configured the standard way:
// set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and spans go over
// OTLP/HTTP (JSON) to that collector, batched (OTEL_BSP_* tune the batching). The resource is
// relaywatch's defaults (service.name `relaywatch-<component>`, service.version, the caller's
// attributes) overridden by the environment through the SDK's detectors: OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES (envDetector) and the host (hostDetector). With the provider it
// registers the W3C Trace Context + Baggage propagator and an AsyncLocalStorage context
// manager, so the active span follows async work and `propagation.inject` writes traceparent.
// Unset, or OTEL_SDK_DISABLED=true: nothing is registered and spans stay no-ops. The code
// creates its tracers through @opentelemetry/api, so registering here is all it takes.
// The SDK, exporter, resource and context-manager packages are imported only when tracing is
// on: an SFU or probe agent without a collector never loads them (test/conventions/tracing-lazy).
import { context, propagation, trace } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { RELAYWATCH_VERSION } from "../core/version.js";
import { redactUrl } from "../store/url.js";

export interface Tracing {
  /** Where spans go (credentials redacted), for the startup line. */
  endpoint: string;
  /** Exports what is batched now. */
  flush(): Promise<void>;
  /** Flushes what is batched, stops exporting and unregisters the provider, propagator and context manager. */
  shutdown(): Promise<void>;
}

/**
 * The process's resource: relaywatch's defaults, then what the environment says (later wins:
 * OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, as the specification orders them). The
 * process detector is left out on purpose: it exports the command line, and flags such as
 * --ice-server may carry TURN credentials.
 */
export async function tracingResource(component: string, attributes: Record<string, string>): Promise<Resource> {
  const { defaultResource, detectResources, envDetector, hostDetector, resourceFromAttributes } = await import("@opentelemetry/resources");
  return defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: `relaywatch-${component}`, [ATTR_SERVICE_VERSION]: RELAYWATCH_VERSION, ...attributes }))
    .merge(detectResources({ detectors: [hostDetector, envDetector] }));
}

/**
 * Registers the tracer provider, propagator and context manager when the environment asks for
 * an OTLP exporter (or one is given); null otherwise, having loaded none of the SDK.
 * envDetector reads process.env itself.
 */
export async function startTracing(component: string, attributes: Record<string, string>, env: NodeJS.ProcessEnv = process.env, exporter?: SpanExporter): Promise<Tracing | null> {
  if ((env["OTEL_SDK_DISABLED"] ?? "").toLowerCase() === "true") return null;
  const endpoint = nonEmpty(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? nonEmpty(env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
  if (endpoint === undefined && exporter === undefined) return null;
  const [{ AsyncLocalStorageContextManager }, { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator }, { BasicTracerProvider, BatchSpanProcessor }] = await Promise.all([
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/sdk-trace-base"),
  ]);
  // The OTLP exporter reads the endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*.
  const spanExporter = exporter ?? new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter();
  const provider = new BasicTracerProvider({
    resource: await tracingResource(component, attributes),
    spanProcessors: [new BatchSpanProcessor(spanExporter)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  return {
    endpoint: endpoint === undefined ? "(in-process exporter)" : redactUrl(endpoint),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}
