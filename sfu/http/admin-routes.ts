// The admin API: switch legacy behaviours at run time (the lab's scenario timeline does)
// and drain the region. Off unless enabled — then every /admin path is a plain 404, as if
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
}

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
  return router;
}

function list(b: LegacyBehaviours): string[] {
  const text = formatBehaviours(b);
  return text === "" ? [] : text.split(",");
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
