// The admin API: switch legacy behaviours at run time (the lab's scenario timeline does),
// drain the region, and the on-call mitigations (analyzer/actions): drop relays and
// re-locate them from the origin (breaking a loop), bring a falsely isolated region back
// online (then its policy decides again). Off unless enabled — then every /admin path is a plain 404, as if
// it did not exist — and bearer-token protected when on (constant-time comparison).
import { timingSafeEqual, createHash } from "node:crypto";
import { json, Router, type Request } from "express";
import { z } from "zod";
import { BEHAVIOUR_STRINGS, formatBehaviours, parseBehaviours, type LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { sendError } from "./http-errors.js";

export interface AdminDeps {
  enabled: boolean;
  token: string;
  behaviours: () => LegacyBehaviours;
  setBehaviours: (b: LegacyBehaviours) => void;
  drain: () => Promise<number>;
  /** Drops this region's relay of each track and re-locates it from the origin; null: no relay of it here. */
  resetRelay: (track: string) => RelayResetResult | null;
  /** Online now, handed back to the isolation policy. */
  overrideIsolation: (detail: string) => { state: string; changed: boolean; policy: string };
}

export interface RelayResetResult {
  track: string;
  /** The upstream the dropped relay pulled from (null: it was still locating). */
  upstream: string | null;
  /** A new relay from the origin was started (local demand remains). */
  relocating: boolean;
}

/** 64 tracks per reset: a loop's tracks on one cycle (one per probe rotation and room); a bigger list is a mistake. */
const MAX_RESET_TRACKS = 64;
const resetBodySchema = z.object({ tracks: z.array(z.string().min(1).max(256)).min(1).max(MAX_RESET_TRACKS) });
const overrideBodySchema = z.object({ reason: z.string().max(500).optional() });

const behavioursBodySchema = z.object({ behaviours: z.union([z.array(z.string().max(64)).max(16), z.string().max(256)]) });

export function adminRouter(d: AdminDeps): Router {
  const router = Router();
  if (!d.enabled) return router;
  const wanted = digest(`Bearer ${d.token}`);
  const authorized = (req: Request): boolean => timingSafeEqual(digest(req.get("authorization") ?? ""), wanted);
  router.use("/admin", (req, res, next) => {
    if (authorized(req)) {
      next();
      return;
    }
    res.setHeader("WWW-Authenticate", 'Bearer realm="relaywatch-admin"');
    sendError(res, 401, "unauthorized", "a valid admin bearer token is required");
  });
  router.get("/admin/behaviours", (_req, res) => {
    res.json({ behaviours: list(d.behaviours()) });
  });
  router.put("/admin/behaviours", json({ limit: 4096 }), (req, res) => {
    const body = behavioursBodySchema.safeParse(req.body);
    if (!body.success) {
      sendError(res, 400, "invalid_payload", `expected {"behaviours": [...]} with items from ${BEHAVIOUR_STRINGS.join(", ")}`);
      return;
    }
    const parsed = parseBehaviours(body.data.behaviours);
    if (!parsed.ok) {
      sendError(res, 400, "invalid_behaviour", `${parsed.error.value}: expected ${parsed.error.expected}`);
      return;
    }
    d.setBehaviours(parsed.behaviours);
    res.json({ behaviours: list(d.behaviours()) });
  });
  router.post("/admin/drain", async (_req, res) => {
    res.json({ drained: await d.drain() });
  });
  router.post("/admin/relays/reset", json({ limit: 32_768 }), (req, res) => {
    const body = resetBodySchema.safeParse(req.body);
    if (!body.success) {
      sendError(res, 400, "invalid_payload", `expected {"tracks": ["room/track", ...]} with 1 to ${MAX_RESET_TRACKS} tracks`);
      return;
    }
    const reset: RelayResetResult[] = [];
    const notRelayed: string[] = [];
    for (const track of new Set(body.data.tracks)) {
      const r = d.resetRelay(track);
      if (r === null) notRelayed.push(track);
      else reset.push(r);
    }
    res.json({ reset, notRelayed });
  });
  router.post("/admin/isolation/override", json({ limit: 4096 }), (req, res) => {
    const body = overrideBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      sendError(res, 400, "invalid_payload", 'expected {"reason"?: string}');
      return;
    }
    res.json(d.overrideIsolation(`operator override${body.data.reason === undefined ? "" : `: ${body.data.reason}`}`));
  });
  return router;
}

function list(b: LegacyBehaviours): string[] {
  const text = formatBehaviours(b);
  return text === "" ? [] : text.split(",");
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
