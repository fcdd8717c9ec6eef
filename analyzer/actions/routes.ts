// The actions API (behind the /v1 bearer check of analyzer/api/server.ts):
//   POST /v1/actions/plan  {request}                     → {plan, enabled}: what it would do, nothing run
//   POST /v1/actions       {request, actor, confirmed}   → 201 {action}: calls made, verification running
//   GET  /v1/actions[/:id]                               → the recent actions / one action
import { json, Router } from "express";
import { z } from "zod";
import { actionBodySchema, actionRequestSchema } from "../../core/actions.js";
import type { ActionRunner } from "./action-runner.js";

/** 16 KiB: an action request is a few names; anything bigger is not one. */
const BODY_LIMIT = "16kb";
const planBodySchema = z.object({ request: actionRequestSchema });

export function actionsRouter(runner: ActionRunner): Router {
  const router = Router();
  router.get("/v1/actions", (_req, res) => {
    res.json({ actions: runner.list() });
  });
  router.get("/v1/actions/:id", (req, res) => {
    const a = runner.get(req.params["id"]);
    if (a === undefined) res.status(404).json({ error: "not_found", detail: "no such action (only the last 200 are kept in memory; the store has them all)" });
    else res.json(a);
  });
  router.post("/v1/actions/plan", json({ limit: BODY_LIMIT }), (req, res) => {
    const body = planBodySchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: "invalid_payload", detail: body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
      return;
    }
    const planned = runner.plan(body.data.request);
    if (!planned.ok) res.status(409).json({ error: "not_applicable", detail: planned.error });
    else res.json({ plan: planned.plan, enabled: runner.enabled });
  });
  router.post("/v1/actions", json({ limit: BODY_LIMIT }), async (req, res) => {
    const body = actionBodySchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: "invalid_payload", detail: `${body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} (an action runs only with "confirmed": true)` });
      return;
    }
    const out = await runner.run(body.data);
    if (out.ok) res.status(201).json({ action: out.action });
    else res.status(out.status).json({ error: out.error, detail: out.detail });
  });
  return router;
}
