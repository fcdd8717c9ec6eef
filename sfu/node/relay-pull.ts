// One pull request to one upstream candidate, as a span: sends `POST /relay/v1/pull` with
// this hop's traceparent and classifies the answer. The relay manager decides what to do
// with the outcome (fall back, wait for the pull-result, or take the media).
import { SpanKind, SpanStatusCode, trace, type Context, type Tracer } from "@opentelemetry/api";
import type { Region, TrackId } from "../../core/region.js";
import { parsePayload } from "../../core/validate.js";
import type { TrackMedia } from "../media/track-media.js";
import { traceparentOf } from "../telemetry/trace-context.js";
import type { PeerClient } from "./peer-client.js";
import { relayErrorSchema, relayPullReplySchema } from "./relay-protocol.js";

export type PullOutcome =
  | { kind: "served"; chain: Region[]; media: TrackMedia }
  | { kind: "pending"; chain: Region[] }
  | { kind: "refused"; why: string };

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
    const body = { track: c.track, path: c.path, pullId: c.pullId, port: c.port, traceparent };
    const res = await client.post(c.upstream, "/relay/v1/pull", body, { traceparent });
    span.setAttribute("http.response.status_code", res.ok ? res.status : 0);
    const accepted = res.ok && (res.status === 200 || res.status === 202) ? parsePayload(relayPullReplySchema, res.body) : null;
    if (accepted === null || !accepted.ok) {
      const why = !res.ok ? res.error : accepted === null ? refusalOf(res.body) : "bad_reply";
      span.setStatus({ code: SpanStatusCode.ERROR, message: why });
      return { kind: "refused", why };
    }
    span.setAttribute("relaywatch.pending", accepted.value.pending);
    const { chain, media, pending } = accepted.value;
    return pending || media === undefined ? { kind: "pending", chain } : { kind: "served", chain, media };
  } finally {
    span.end();
  }
}

function refusalOf(body: unknown): string {
  const parsed = relayErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.error : "refused";
}
