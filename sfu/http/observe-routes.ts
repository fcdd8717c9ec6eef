// What watchers read: `GET /v1/state` (RegionSnapshot), `GET /v1/events` (SSE of SfuEvents,
// `id:` = seq), `/metrics` (the injected registry), `/healthz` (process alive) and
// `/readyz` (serving: online and not closing). Read-only; nothing here changes the node.
import { Router } from "express";
import type { Registry } from "prom-client";
import type { RegionSnapshot, SfuEvent } from "../../core/sfu-state.js";
import { SSE_HEADERS, sseComment, sseEvent } from "../../core/sse.js";
import type { EventLog } from "../node/event-log.js";

/** 15 s: SSE comment heartbeats keep idle proxies from closing the stream and reveal dead consumers. */
export const SSE_KEEPALIVE_MS = 15_000;

export interface ObserveDeps {
  snapshot: () => RegionSnapshot;
  events: EventLog;
  registry: Registry;
  ready: () => { ok: boolean; reason: string };
  /** Keepalive timers must follow the injected clock (tests) — handed in as a scheduler. */
  every: (fn: () => void, ms: number) => { cancel(): void };
  /** Called with each open SSE stream's closer, so node.close() can end them. */
  trackStream: (close: () => void) => () => void;
}

export function observeRouter(d: ObserveDeps): Router {
  const router = Router();
  router.get("/v1/state", (_req, res) => {
    res.json(d.snapshot());
  });
  router.get("/v1/events", (req, res) => {
    // HEAD is routed here too: answer the headers and end, never hold a stream without a body.
    if (req.method === "HEAD") {
      res.status(200).type("text/event-stream").end();
      return;
    }
    res.status(200).set(SSE_HEADERS);
    res.flushHeaders();
    // The first line names the snapshot seq to start from: a consumer fetches /v1/state and
    // applies events with a greater seq.
    res.write(sseComment(`relaywatch sfu events, seq ${d.events.seq}`));
    const send = (e: SfuEvent): void => {
      res.write(sseEvent({ id: e.seq, event: e.type, data: JSON.stringify(e) }));
    };
    const unsubscribe = d.events.subscribe(send);
    const keepalive = d.every(() => {
      res.write(sseComment("keepalive"));
    }, SSE_KEEPALIVE_MS);
    let untrack: () => void = () => undefined;
    const end = (): void => {
      unsubscribe();
      keepalive.cancel();
      untrack();
      if (!res.writableEnded) res.end();
    };
    untrack = d.trackStream(end);
    req.on("close", end);
  });
  router.get("/metrics", async (_req, res) => {
    res.type(d.registry.contentType).send(await d.registry.metrics());
  });
  router.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  router.get("/readyz", (_req, res) => {
    const r = d.ready();
    res.status(r.ok ? 200 : 503).json(r);
  });
  return router;
}
