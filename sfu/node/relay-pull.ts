// One pull request to one upstream candidate, as a span: sends `POST /relay/v1/pull` with
// this hop's traceparent and classifies the answer (relay-protocol.ts). The relay machine
// decides what to do with the outcome (fall back, wait for the pull-result, or take the media).
// The span is an HTTP client span in semantic-convention names (http.request.method, url.full,
// server.address/port, http.response.status_code, error.type); `relaywatch.*` for the domain.
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from "@opentelemetry/semantic-conventions";
import type { Region, TrackId } from "../../core/region.js";
import type { PullOutcome } from "../relay/relay-machine-types.js";
import { traceparentOf } from "../telemetry/trace-context.js";
import type { PeerClient } from "./peer-client.js";
import { classifyPullReply, RELAY_PATHS } from "./relay-protocol.js";

export interface PullCall {
  track: TrackId;
  path: Region[];
  pullId: string;
  port: number;
  upstream: Region;
  /** The relay's span context: this hop's span is its child. */
  ctx: Context;
  attributes: Record<string, string>;
}

export async function sendPull(client: PeerClient, tracer: Tracer, c: PullCall): Promise<PullOutcome> {
  const attributes = { ...httpClientAttributes(client.urlOf(c.upstream, RELAY_PATHS.pull)), ...c.attributes, "relaywatch.upstream": c.upstream };
  const span = tracer.startSpan("relay.pull", { kind: SpanKind.CLIENT, attributes }, c.ctx);
  const traceparent = traceparentOf(trace.setSpan(c.ctx, span));
  try {
    const address = client.relayAddress;
    const body = { track: c.track, path: c.path, pullId: c.pullId, port: c.port, traceparent, ...(address === undefined ? {} : { address }) };
    const res = await client.post(c.upstream, RELAY_PATHS.pull, body, { traceparent });
    if (res.ok) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.status);
    const outcome: PullOutcome = res.ok ? classifyPullReply(res.status, res.body) : { kind: "refused", why: res.error };
    // error.type: the status code of an error answer, else why no answer came (timeout, unreachable, ...).
    if (!res.ok) span.setAttribute(ATTR_ERROR_TYPE, res.error);
    else if (res.status >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(res.status));
    if (outcome.kind === "refused") span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.why });
    else span.setAttribute("relaywatch.pending", outcome.kind === "pending");
    return outcome;
  } finally {
    span.end();
  }
}

/** The request's semantic-convention attributes; url.full without user info (credentials never go into spans). */
function httpClientAttributes(url: URL | undefined): Attributes {
  if (url === undefined) return { [ATTR_HTTP_REQUEST_METHOD]: "POST" };
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return { [ATTR_HTTP_REQUEST_METHOD]: "POST", [ATTR_URL_FULL]: `${url.origin}${url.pathname}${url.search}`, [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
}
