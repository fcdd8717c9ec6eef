// WHIP publish and WHEP subscribe (RFC 9725 style, non-trickle): `POST /whip/:room/:track`
// and `POST /whep/:room/:track` with an SDP offer → 201 + Location + answer; DELETE on the
// Location ends the session. WHEP resolves the track in any region through the relay
// manager and answers with `Relay-Path`. Every failure is a JSON 4xx/5xx, never a crash.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { text, Router, type Request, type Response } from "express";
import type { Logger } from "../../core/logger.js";
import { trackIdSchema, type Region, type TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";
import { isMediaError } from "../media/errors.js";
import { checkOffer, MAX_OFFER_BYTES } from "../media/sdp-offer.js";
import type { RelayManager } from "../node/relay-manager.js";
import { RelayWaitError } from "../node/relay-wait.js";
import type { Sessions } from "../node/sessions.js";
import { contextFromTraceparent } from "../telemetry/trace-context.js";
import type { AccessTokenVerifier, TokenAction } from "./access-tokens.js";
import { sendError } from "./http-errors.js";

export interface SignalingDeps {
  self: Region;
  engine: MediaEngine;
  manager: RelayManager;
  sessions: Sessions;
  tokens: AccessTokenVerifier;
  tracer: Tracer;
  logger: Logger;
  /** False while the region is offline: new sessions get 503. */
  isOnline: () => boolean;
  /** Seconds a client should wait before retrying an offline region. */
  retryAfterSeconds: number;
  /** How long a WHEP request waits for the track's relay. */
  subscribeTimeoutMs: number;
}

/** The WHIP/WHEP statuses for the engine's MediaError codes. */
const MEDIA_ERROR_STATUS = { invalid_sdp: 400, unsupported_codec: 400, track_exists: 409, no_ports: 503, negotiation_failed: 502 } as const;

const WAIT_ERROR_STATUS: Readonly<Record<RelayWaitError["code"], number>> = {
  unknown_track: 404,
  relay_failed: 502,
  relay_timeout: 504,
  closed: 503,
};

export function signalingRouter(d: SignalingDeps): Router {
  const router = Router();
  const sdpBody = text({ type: "application/sdp", limit: MAX_OFFER_BYTES });
  router.post("/whip/:room/:track", sdpBody, (req, res) => publish(d, req, res));
  router.post("/whep/:room/:track", sdpBody, (req, res) => subscribe(d, req, res));
  router.delete("/whip/:room/:track/:session", (req, res) => remove(d, req, res, "whip"));
  router.delete("/whep/:room/:track/:session", (req, res) => remove(d, req, res, "whep"));
  return router;
}

/** The checks every publish and subscribe passes first: track name, token, region online, SDP body. */
async function admit(d: SignalingDeps, req: Request, res: Response, action: TokenAction): Promise<TrackId | null> {
  const room = String(req.params["room"]);
  const name = String(req.params["track"]);
  const track = `${room}/${name}`;
  if (!trackIdSchema.safeParse(track).success) {
    sendError(res, 400, "invalid_track", "room and track must be 1-128 characters of A-Z a-z 0-9 . _ ~ -");
    return null;
  }
  const check = await d.tokens.verify(req.get("authorization"), { room, track: name, action });
  if (!check.ok) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="relaywatch"');
    sendError(res, 401, check.error, check.detail);
    return null;
  }
  if (!d.isOnline()) {
    sendError(res, 503, "region_offline", `${d.self} is offline (isolated); try another region`, { "Retry-After": String(d.retryAfterSeconds) });
    return null;
  }
  if (!req.is("application/sdp") || typeof req.body !== "string") {
    sendError(res, 415, "unsupported_media_type", "the body must be an SDP offer with Content-Type: application/sdp");
    return null;
  }
  return track;
}

async function publish(d: SignalingDeps, req: Request, res: Response): Promise<void> {
  const track = await admit(d, req, res, "publish");
  if (track === null) return;
  try {
    const result = await d.engine.publish(track, req.body as string);
    d.manager.publisherAdded(track);
    const session = d.sessions.addPublisher(track);
    res.status(201).location(`/whip/${track}/${session.id}`).type("application/sdp").send(result.answerSdp);
  } catch (err) {
    replyEngineError(res, err, d.logger, track);
  }
}

async function subscribe(d: SignalingDeps, req: Request, res: Response): Promise<void> {
  const track = await admit(d, req, res, "subscribe");
  if (track === null) return;
  const offer = req.body as string;
  try {
    checkOffer(offer, "subscribe");
  } catch (err) {
    replyEngineError(res, err, d.logger, track);
    return;
  }
  const parent = req.get("traceparent") === undefined ? ROOT_CONTEXT : contextFromTraceparent(req.get("traceparent"));
  const span = d.tracer.startSpan("whep.subscribe", { kind: SpanKind.SERVER, attributes: { "relaywatch.region": d.self, "relaywatch.track": track } }, parent);
  try {
    await d.manager.waitForMedia(track, trace.setSpan(parent, span), d.subscribeTimeoutMs);
    const result = await d.engine.subscribe(track, offer);
    d.manager.subscribed(track, result.subscriptionId);
    const session = d.sessions.addSubscriber(track, result.subscriptionId);
    const relayPath = d.manager.relayPath(track);
    span.setAttribute("relaywatch.relay_path", relayPath);
    res.status(201).location(`/whep/${track}/${session.id}`).setHeader("Relay-Path", relayPath);
    res.type("application/sdp").send(result.answerSdp);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    d.manager.subscribeFailed(track);
    if (err instanceof RelayWaitError) sendError(res, WAIT_ERROR_STATUS[err.code], err.code, err.message);
    else replyEngineError(res, err, d.logger, track);
  } finally {
    span.end();
  }
}

async function remove(d: SignalingDeps, req: Request, res: Response, kind: "whip" | "whep"): Promise<void> {
  const id = String(req.params["session"]);
  const track = `${String(req.params["room"])}/${String(req.params["track"])}`;
  const session = d.sessions.get(id);
  if (session?.kind !== kind || session.track !== track) {
    sendError(res, 404, "unknown_session", `no ${kind.toUpperCase()} session ${id} for ${track}`);
    return;
  }
  const check = await d.tokens.verify(req.get("authorization"), {
    room: String(req.params["room"]), track: String(req.params["track"]), action: kind === "whip" ? "publish" : "subscribe",
  });
  if (!check.ok) {
    sendError(res, 401, check.error, check.detail);
    return;
  }
  await d.sessions.end(id);
  res.status(200).end();
}

function replyEngineError(res: Response, err: unknown, logger: Logger, track: TrackId): void {
  if (isMediaError(err)) {
    sendError(res, MEDIA_ERROR_STATUS[err.code], err.code, err.message);
    return;
  }
  const code = typeof err === "object" && err !== null && "code" in err ? String((err).code) : "";
  if (code === "not_found") {
    sendError(res, 404, "unknown_track", `${track} is not available here`);
    return;
  }
  if (code === "invalid_state") {
    sendError(res, 503, "closing", "the region node is shutting down");
    return;
  }
  logger.error({ track, err }, "signaling | unexpected engine error");
  sendError(res, 500, "internal", "unexpected error; see the region's log");
}
