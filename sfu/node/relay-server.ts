// The HTTP face of the relay control plane's peer calls (`/relay/v1/pull`, `leave`,
// `pull-result`, `close`): parses each payload with relay-protocol.ts's schemas, checks
// what only the node can check (the path ends with the caller, the port is inside the
// caller's relay range), opens the serve span, and hands the call to the relay machine
// through the manager; the machine's reply is the answer. It keeps no state.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import type { Region, TrackId } from "../../core/region.js";
import { parsePayload } from "../../core/validate.js";
import type { LegacyBehaviours } from "../relay/legacy-behaviours.js";
import type { TrackTable } from "../relay/track-table.js";
import { contextFromTraceparent } from "../telemetry/trace-context.js";
import type { PeerDirectory } from "./peers.js";
import type { RelayManager, RelayReply } from "./relay-manager.js";
import type { RelayIo } from "./relay-effects.js";
import { RELAY_PATHS, relayPullBodySchema, relayPullResultSchema, relayReleaseSchema } from "./relay-protocol.js";

export type { RelayReply } from "./relay-manager.js";

export interface RelayServerOptions extends RelayIo {
  peers: PeerDirectory;
  manager: RelayManager;
  table: () => TrackTable;
  rtts: () => ReadonlyMap<Region, number>;
  behaviours: () => LegacyBehaviours;
}

export class RelayServer {
  private readonly o: RelayServerOptions;

  constructor(options: RelayServerOptions) {
    this.o = options;
    options.manager.setPeers(options.peers);
  }

  async pull(from: Region, payload: unknown, traceparent: string | undefined): Promise<RelayReply> {
    const parsed = parsePayload(relayPullBodySchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const req = parsed.value;
    if (req.path[req.path.length - 1] !== from) return bad("invalid_path", `the path must end with the caller ${from}: ${req.path.join(">")}`);
    if (req.address !== undefined) this.o.peers.advertise(from, req.address);
    if (this.o.peers.relayTarget(from, req.port) === null) return bad("invalid_port", `port ${req.port} is outside ${from}'s relay range`);
    const parent = contextFromTraceparent(req.traceparent ?? traceparent);
    const span = this.o.tracer.startSpan(
      "relay.serve",
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: "POST", [ATTR_URL_PATH]: RELAY_PATHS.pull, "relaywatch.region": this.o.self, "relaywatch.track": req.track, "relaywatch.path": req.path.join(">") },
      },
      parent,
    );
    try {
      const reply = await this.o.manager.call(
        (requestId) => ({ kind: "pull-arrived", requestId, from, track: req.track, pullId: req.pullId, path: req.path, port: req.port }),
        trace.setSpan(parent, span),
        span,
      );
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.status);
      if (reply.status >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(reply.status));
      if (reply.status >= 300) span.setStatus({ code: SpanStatusCode.ERROR, message: errorOf(reply.body) });
      return reply;
    } finally {
      span.end();
    }
  }

  /** A downstream releases the relay of `pullId`. */
  leave(from: Region, payload: unknown): Promise<RelayReply> | RelayReply {
    const parsed = parsePayload(relayReleaseSchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const { track, pullId } = parsed.value;
    return this.o.manager.call((requestId) => ({ kind: "leave-arrived", requestId, from, track, pullId }), ROOT_CONTEXT);
  }

  /** The upstream's pull-result for a pull it attached: 200 when that pull is current here, else 409. */
  pullResult(from: Region, payload: unknown): Promise<RelayReply> | RelayReply {
    const parsed = parsePayload(relayPullResultSchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const r = parsed.value;
    const result = r.error === undefined && r.chain !== undefined && r.media !== undefined ? { chain: r.chain, media: r.media } : { error: r.error ?? "no_source" };
    return this.o.manager.call((requestId) => ({ kind: "pull-result", requestId, from, track: r.track, pullId: r.pullId, result }), ROOT_CONTEXT);
  }

  /** The upstream closed the relay of `pullId`. */
  close(from: Region, payload: unknown): Promise<RelayReply> | RelayReply {
    const parsed = parsePayload(relayReleaseSchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const { track, pullId } = parsed.value;
    return this.o.manager.call((requestId) => ({ kind: "upstream-closed", requestId, from, track, pullId }), ROOT_CONTEXT);
  }

  /** The engine closed a relay-out by itself (its source ended). */
  relayOutClosed(track: TrackId, relayId: string): void {
    this.o.manager.relayOutClosed(track, relayId);
  }
}

function errorOf(body: unknown): string {
  return typeof body === "object" && body !== null && "error" in body ? String(body.error) : "refused";
}

function bad(error: string, detail: string): RelayReply {
  return { status: 400, body: { error, detail } };
}
