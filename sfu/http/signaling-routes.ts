// WHIP publish and WHEP subscribe (RFC 9725 style, non-trickle): `POST /whip/:room/:track`
// and `POST /whep/:room/:track` with an SDP offer → 201 + Location + answer; DELETE on the
// Location ends the session. WHEP resolves the track in any region through the relay
// manager and answers with `Relay-Path`. Every failure is a JSON 4xx/5xx, never a crash.
// Around them (sfu/http/whip-http.ts): CORS for configured origins, `Link` headers for the
// configured ICE servers on every 201, 405 + `Allow` for PATCH (no trickle/ICE restart).
// Each POST is a SERVER span (`whip.publish`, `whep.subscribe`) in the caller's trace.
import { context, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { text, Router, type Request, type Response } from "express";
import type { Logger } from "../../core/logger.js";
import { trackIdSchema, type Region, type TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";
import { isMediaError } from "../media/errors.js";
import { checkOffer, MAX_OFFER_BYTES } from "../media/sdp-offer.js";
import type { RelayManager } from "../node/relay-manager.js";
import { RelayWaitError } from "../node/relay-wait.js";
import type { Sessions } from "../node/sessions.js";
import { endServerSpan, startServerSpan } from "../telemetry/http-span.js";
import type { AccessTokenVerifier, TokenAction } from "./access-tokens.js";
import { sendError } from "./http-errors.js";
import { iceServerLinks, methodNotAllowed, SESSION_ALLOW, whipCors, type WhipHttpOptions } from "./whip-http.js";

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
  /** CORS origins and ICE servers (none by default). */
  http?: WhipHttpOptions;
}

const WHIP_ROUTE = "/whip/:room/:track";
const WHEP_ROUTE = "/whep/:room/:track";

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
  router.use(["/whip", "/whep"], whipCors(d.http?.corsOrigins ?? []));
  router.post(WHIP_ROUTE, sdpBody, (req, res) => publish(d, req, res));
  router.post(WHEP_ROUTE, sdpBody, (req, res) => subscribe(d, req, res));
  for (const kind of ["whip", "whep"] as const) {
    const session = `/${kind}/:room/:track/:session`;
    router.delete(session, (req, res) => remove(d, req, res, kind));
    router.all(session, methodNotAllowed(SESSION_ALLOW));
  }
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

/** The `Link: <…>; rel="ice-server"` headers of a 201 (RFC 9725 §4.6). */
function created(d: SignalingDeps, res: Response, location: string): Response {
  const links = iceServerLinks(d.http?.iceServers ?? []);
  if (links.length > 0) res.append("Link", links);
  return res.status(201).location(location);
}

/** Runs a POST handler inside its SERVER span, ended (with the status sent) as the handler returns. */
async function traced(d: SignalingDeps, req: Request, res: Response, name: string, route: string, handle: (ctx: Context, span: Span) => Promise<string | undefined>): Promise<void> {
  const { span, ctx } = startServerSpan(d.tracer, name, req, route, { "relaywatch.region": d.self });
  let failure: string | undefined;
  try {
    failure = await context.with(ctx, () => handle(ctx, span));
  } finally {
    endServerSpan(span, res.statusCode, failure);
  }
}

function publish(d: SignalingDeps, req: Request, res: Response): Promise<void> {
  return traced(d, req, res, "whip.publish", WHIP_ROUTE, async (_ctx, span) => {
    const track = await admit(d, req, res, "publish");
    if (track === null) return undefined;
    span.setAttribute("relaywatch.track", track);
    try {
      const result = await d.engine.publish(track, req.body as string);
      d.manager.publisherAdded(track);
      const session = d.sessions.addPublisher(track);
      created(d, res, `/whip/${track}/${session.id}`).type("application/sdp").send(result.answerSdp);
      return undefined;
    } catch (err) {
      replyEngineError(res, err, d.logger, track);
      return err instanceof Error ? err.message : String(err);
    }
  });
}

function subscribe(d: SignalingDeps, req: Request, res: Response): Promise<void> {
  return traced(d, req, res, "whep.subscribe", WHEP_ROUTE, async (ctx, span) => {
    const track = await admit(d, req, res, "subscribe");
    if (track === null) return undefined;
    span.setAttribute("relaywatch.track", track);
    const offer = req.body as string;
    try {
      checkOffer(offer, "subscribe");
    } catch (err) {
      replyEngineError(res, err, d.logger, track);
      return undefined;
    }
    try {
      await d.manager.waitForMedia(track, ctx, d.subscribeTimeoutMs);
      const result = await d.engine.subscribe(track, offer);
      d.manager.subscribed(track, result.subscriptionId);
      const session = d.sessions.addSubscriber(track, result.subscriptionId);
      const relayPath = d.manager.relayPath(track);
      span.setAttribute("relaywatch.relay_path", relayPath);
      created(d, res, `/whep/${track}/${session.id}`).setHeader("Relay-Path", relayPath);
      res.type("application/sdp").send(result.answerSdp);
      return undefined;
    } catch (err) {
      d.manager.subscribeFailed(track);
      if (err instanceof RelayWaitError) sendError(res, WAIT_ERROR_STATUS[err.code], err.code, err.message);
      else replyEngineError(res, err, d.logger, track);
      return err instanceof Error ? err.message : String(err);
    }
  });
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
