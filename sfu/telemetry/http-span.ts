// Server spans for the region node's WHIP/WHEP requests, attributed with OpenTelemetry's
// semantic-convention names (@opentelemetry/semantic-conventions: http.request.method,
// http.route, url.path, client.address, network.peer.*, http.response.status_code, error.type)
// so any tracing backend's HTTP views read them; `relaywatch.*` only for what has no
// convention (region, track, relay path). The parent is the caller's W3C traceparent.
import { SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from "@opentelemetry/semantic-conventions";
import type { Request } from "express";
import { contextFromTraceparent } from "./trace-context.js";

export interface ServerSpan {
  span: Span;
  /** The caller's context with this span active: pass it on (or run in it) for child spans. */
  ctx: Context;
}

/** Starts a SERVER span for `req` (route template e.g. `/whip/:room/:track`), child of its traceparent. */
export function startServerSpan(tracer: Tracer, name: string, req: Request, route: string, attributes: Record<string, string>): ServerSpan {
  const parent = contextFromTraceparent(req.get("traceparent"), req.get("tracestate"));
  const userAgent = req.get("user-agent");
  const span = tracer.startSpan(name, {
    kind: SpanKind.SERVER,
    attributes: {
      [ATTR_HTTP_REQUEST_METHOD]: req.method,
      [ATTR_HTTP_ROUTE]: route,
      [ATTR_URL_PATH]: req.path,
      [ATTR_URL_SCHEME]: req.protocol,
      ...(req.socket.remoteAddress === undefined ? {} : { [ATTR_CLIENT_ADDRESS]: req.socket.remoteAddress, [ATTR_NETWORK_PEER_ADDRESS]: req.socket.remoteAddress }),
      ...(req.socket.remotePort === undefined ? {} : { [ATTR_NETWORK_PEER_PORT]: req.socket.remotePort }),
      ...(userAgent === undefined ? {} : { [ATTR_USER_AGENT_ORIGINAL]: userAgent }),
      ...attributes,
    },
  }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/**
 * Ends the span with the response's status (semantic conventions for HTTP servers: a 4xx or
 * 5xx sets `error.type` to the status code; only a 5xx is an error of this server, 4xx is the
 * client's, so its span status stays unset).
 */
export function endServerSpan(span: Span, status: number, message?: string): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(status));
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
  span.end();
}
