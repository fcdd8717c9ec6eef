// One pull request to one upstream candidate, as a span: sends `POST /relay/v1/pull` with
// this hop's traceparent and classifies the answer (relay-protocol.ts). The relay machine
// decides what to do with the outcome (fall back, wait for the pull-result, or take the media).
import { SpanKind, SpanStatusCode, trace, type Context, type Tracer } from "@opentelemetry/api";
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
  const span = tracer.startSpan("relay.pull", { kind: SpanKind.CLIENT, attributes: { ...c.attributes, "relaywatch.upstream": c.upstream } }, c.ctx);
  const traceparent = traceparentOf(trace.setSpan(c.ctx, span));
  try {
    const address = client.relayAddress;
    const body = { track: c.track, path: c.path, pullId: c.pullId, port: c.port, traceparent, ...(address === undefined ? {} : { address }) };
    const res = await client.post(c.upstream, RELAY_PATHS.pull, body, { traceparent });
    span.setAttribute("http.response.status_code", res.ok ? res.status : 0);
    const outcome: PullOutcome = res.ok ? classifyPullReply(res.status, res.body) : { kind: "refused", why: res.error };
    if (outcome.kind === "refused") span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.why });
    else span.setAttribute("relaywatch.pending", outcome.kind === "pending");
    return outcome;
  } finally {
    span.end();
  }
}
