// W3C Trace Context (`traceparent`, version 00) for the inter-region relay calls: the pull
// of each hop carries its caller's span so one subscribe yields one trace across regions.
// A tiny hand-rolled codec because @opentelemetry/core is not a dependency of this package
// (only a transitive one of the test-only SDK); the API's trace helpers do the rest.
// Never throws on input from the network: a malformed header is simply no parent.
import { context, trace, TraceFlags, type Context, type SpanContext } from "@opentelemetry/api";

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = "0".repeat(32);
const INVALID_SPAN_ID = "0".repeat(16);

/** The `traceparent` value for a span context, or undefined when it is not valid. */
export function formatTraceparent(sc: SpanContext | undefined): string | undefined {
  if (sc === undefined || !trace.isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/** Parses a `traceparent` into a remote span context; undefined when absent or malformed. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT_RE.exec(value.trim().toLowerCase());
  if (m === null) return undefined;
  const [, traceId, spanId, flags] = m;
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** A context whose parent is the remote span named by `traceparent` (or the root context). */
export function contextFromTraceparent(value: string | undefined): Context {
  const sc = parseTraceparent(value);
  return sc === undefined ? context.active() : trace.setSpanContext(context.active(), sc);
}

/** The `traceparent` of the span active in `ctx`, for the next hop. */
export function traceparentOf(ctx: Context): string | undefined {
  return formatTraceparent(trace.getSpanContext(ctx));
}
