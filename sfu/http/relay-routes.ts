// The inter-region API (`/relay/v1/*`, payloads in sfu/node/relay-protocol.ts). Every call
// is verified (HMAC, timestamp window, nonce replay cache) on the raw body before it is
// parsed; a failure is 401 with a reason and nothing else happens.
import { text, Router, type Request, type Response } from "express";
import type { Clock } from "../../core/clock.js";
import type { Region } from "../../core/region.js";
import { parsePayload } from "../../core/validate.js";
import type { RegionState } from "../../core/region-health.js";
import type { Announcer } from "../node/announcer.js";
import type { RelayCallAuth } from "../node/relay-call-auth.js";
import { heartbeatBodySchema, RELAY_PATHS } from "../node/relay-protocol.js";
import type { RelayServer } from "../node/relay-server.js";
import { sendError } from "./http-errors.js";

/** 1 MiB: an announcement of the table's MAX_ENTRIES tracks; nothing else comes close. */
export const MAX_RELAY_BODY_BYTES = 1024 * 1024;

export interface RelayRouteDeps {
  self: Region;
  clock: Clock;
  auth: RelayCallAuth;
  server: RelayServer;
  announcer: Announcer;
  regionState: () => RegionState;
  /** A peer's call arrived: it is reachable (folded into health as passive evidence). */
  onPeerHeard?: (peer: Region) => void;
}

type Handler = (from: Region, body: unknown, req: Request) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };

export function relayRouter(d: RelayRouteDeps): Router {
  const router = Router();
  const raw = text({ type: () => true, limit: MAX_RELAY_BODY_BYTES });

  const route = (path: string, handler: Handler): void => {
    router.post(path, raw, async (req: Request, res: Response) => {
      const body = typeof req.body === "string" ? req.body : "";
      const verdict = d.auth.verify({ method: "POST", path: req.originalUrl, body, to: d.self, header: (n) => req.get(n) });
      if (!verdict.ok) {
        sendError(res, 401, verdict.error, verdict.detail);
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        sendError(res, 400, "invalid_json", "request body is not valid JSON");
        return;
      }
      d.onPeerHeard?.(verdict.from);
      const out = await handler(verdict.from, payload, req);
      res.status(out.status).json(out.body);
    });
  };

  route(RELAY_PATHS.pull, (from, body, req) => d.server.pull(from, body, req.get("traceparent")));
  route(RELAY_PATHS.leave, (from, body) => d.server.leave(from, body));
  route(RELAY_PATHS.pullResult, (from, body) => d.server.pullResult(from, body));
  route(RELAY_PATHS.close, (from, body) => d.server.close(from, body));
  route(RELAY_PATHS.announce, (from, body) => {
    const r = d.announcer.receive(from, body);
    return r.ok ? { status: 200, body: { ok: true } } : { status: r.status, body: { error: r.error, detail: r.detail } };
  });
  route(RELAY_PATHS.heartbeat, (from, body) => {
    const parsed = parsePayload(heartbeatBodySchema, body);
    if (!parsed.ok || parsed.value.region !== from) return { status: 400, body: { error: "invalid_payload", detail: "expected {region, ts} from the caller" } };
    return { status: 200, body: { region: d.self, ts: Math.floor(d.clock.now()), state: d.regionState() } };
  });
  return router;
}
