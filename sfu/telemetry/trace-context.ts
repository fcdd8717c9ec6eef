// W3C Trace Context (`traceparent`/`tracestate`) for the WHIP/WHEP requests and the
// inter-region relay calls: the pull of each hop carries its caller's span so one subscribe
// yields one trace across regions. The codec is OpenTelemetry's own W3CTraceContextPropagator
// (@opentelemetry/core), the same one the CLI registers globally; these helpers only adapt it
// to a single header value. Never throws on input from the network: a malformed header is
// simply no parent.
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
const propagator = new W3CTraceContextPropagator();

/** The `traceparent` value for a span context, or undefined when it is not valid. */
export function formatTraceparent(sc: SpanContext | undefined): string | undefined {
  if (sc === undefined || !trace.isSpanContextValid(sc)) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, sc), carrier, defaultTextMapSetter);
  return carrier[TRACEPARENT];
}

/** Parses a `traceparent` (and optional `tracestate`) into a remote span context; undefined when absent or malformed. */
export function parseTraceparent(value: string | undefined, tracestate?: string): SpanContext | undefined {
  if (value === undefined) return undefined;
  const carrier: Record<string, string> = { [TRACEPARENT]: value };
  if (tracestate !== undefined) carrier[TRACESTATE] = tracestate;
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
}

/** A context whose parent is the remote span named by `traceparent` (or the active context). */
export function contextFromTraceparent(value: string | undefined, tracestate?: string): Context {
  const sc = parseTraceparent(value, tracestate);
  return sc === undefined ? context.active() : trace.setSpanContext(context.active(), sc);
}

/** The `traceparent` of the span active in `ctx`, for the next hop. */
export function traceparentOf(ctx: Context): string | undefined {
  return formatTraceparent(trace.getSpanContext(ctx));
}
