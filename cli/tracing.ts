// OpenTelemetry trace export for the long-running commands (sfu, analyze), configured the
// standard way: set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and
// spans go over OTLP/HTTP (JSON) to that collector, batched (OTEL_BSP_* tune the batching),
// named by OTEL_SERVICE_NAME or `relaywatch-<component>`. Unset, or OTEL_SDK_DISABLED=true:
// nothing is registered and spans stay no-ops. The code creates its tracers through
// @opentelemetry/api, so registering the provider here is all it takes.
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { redactUrl } from "../store/url.js";

export interface Tracing {
  /** Where spans go (credentials redacted), for the startup line. */
  endpoint: string;
  /** Flushes what is batched and stops exporting. */
  shutdown(): Promise<void>;
}

/** Registers the OTLP exporter when the environment asks for one; null otherwise. */
export function startTracing(component: string, attributes: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Tracing | null {
  if ((env["OTEL_SDK_DISABLED"] ?? "").toLowerCase() === "true") return null;
  const endpoint = nonEmpty(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? nonEmpty(env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
  if (endpoint === undefined) return null;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": nonEmpty(env["OTEL_SERVICE_NAME"]) ?? `relaywatch-${component}`, ...attributes }),
    // The exporter reads the endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    endpoint: redactUrl(endpoint),
    shutdown: () => provider.shutdown(),
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}
