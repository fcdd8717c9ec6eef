// The analyzer's HTTP surface (express 5): the probe ingest, the live API for the TUI
// (core/analyzer-api.ts), /metrics and /healthz. A configured token is required as a
// bearer token on every /v1 route (the ingest also takes agent tokens, ingest/route.ts);
// it is compared in constant time and never logged.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Tracer } from "@opentelemetry/api";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import type { Registry } from "prom-client";
import { ackRequestSchema, type AnalyzerStreamEvent } from "../../core/analyzer-api.js";
import type { Clock } from "../../core/clock.js";
import type { Region } from "../../core/region.js";
import { baseUrl, createHttpServer, type ServerTls } from "../../core/tls.js";
import type { AnalyzerEngine } from "../engine.js";
import { INGEST_BODY_LIMIT, INGEST_ROUTE, ingestHandlers } from "../ingest/route.js";
import type { ProbeIngest } from "../ingest/probe-ingest.js";
import type { AnalyzerMetrics } from "../telemetry.js";
import { buildAlerts, buildOverview, buildTrackGraph, buildTracksList } from "../views.js";
import type { StreamHub } from "./stream-hub.js";
import type { ActionRunner } from "../actions/action-runner.js";
import { actionsRouter } from "../actions/routes.js";

/** 1000 tracks per list by default: the TUI shows a screenful; scripts can ask for more. */
export const TRACKS_DEFAULT_LIMIT = 1000;
/** 4 KiB: an acknowledgement is one name. */
export const ACK_BODY_LIMIT = 4096;

export interface ApiDeps {
  engine: AnalyzerEngine;
  configuredRegions: readonly Region[];
  clock: Clock;
  registry: Registry;
  metrics: AnalyzerMetrics;
  tracer: Tracer;
  hub: StreamHub;
  token?: string | undefined;
  /** The probe ingest behind POST /v1/ingest/probes. */
  ingest: ProbeIngest;
  /** On-call actions (POST /v1/actions…); absent: no actions routes. */
  actions?: ActionRunner | undefined;
}

export function createApiApp(d: ApiDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(d.registry.contentType).send(await d.registry.metrics());
  });
  // Before the /v1 bearer check: agent tokens are good at the ingest and nowhere else.
  app.post(INGEST_ROUTE, ...ingestHandlers({ ingest: d.ingest, token: d.token, metrics: d.metrics, tracer: d.tracer }));
  app.use("/v1", bearer(d.token, d.metrics));
  if (d.actions !== undefined) app.use(actionsRouter(d.actions));

  app.get("/v1/overview", (_req, res) => {
    res.json(buildOverview(d.engine, d.configuredRegions, d.clock.now()));
  });
  app.get("/v1/alerts", (req, res) => {
    const fp = typeof req.query["fingerprint"] === "string" ? req.query["fingerprint"] : undefined;
    res.json({ ts: d.clock.now(), alerts: buildAlerts(d.engine, d.clock.now(), fp) });
  });
  // Someone owns the alert: everyone watching gets the update on the stream; it is stored like any other.
  app.post("/v1/alerts/:fingerprint/ack", express.json({ limit: ACK_BODY_LIMIT }), (req, res) => {
    const body = ackRequestSchema.safeParse(req.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      res.status(400).json({ error: "invalid_body", path: issue?.path.join(".") ?? "", detail: issue?.message ?? "expected {\"by\": \"who\"}" });
      return;
    }
    const alert = d.engine.acknowledge(req.params["fingerprint"], body.data.by, d.clock.now());
    if (alert === null) res.status(404).json({ error: "not_found", detail: "no firing alert has this fingerprint" });
    else res.json({ alert });
  });
  app.get("/v1/tracks", (req, res) => {
    const limit = Number(req.query["limit"] ?? TRACKS_DEFAULT_LIMIT);
    res.json(buildTracksList(d.engine, d.clock.now(), { limit: Number.isInteger(limit) && limit > 0 ? limit : TRACKS_DEFAULT_LIMIT, cyclesOnly: req.query["cycles"] === "1" }));
  });
  app.get("/v1/tracks/:room/:track", (req, res) => {
    const g = buildTrackGraph(d.engine, `${req.params["room"]}/${req.params["track"]}`, d.clock.now());
    if (g === null) res.status(404).json({ error: "not_found", detail: "no region reports this track" });
    else res.json(g);
  });
  app.get("/v1/stream", (req, res) => {
    // HEAD is routed here too: answer the headers and end, never hold a stream without a body.
    if (req.method === "HEAD") {
      res.status(200).type("text/event-stream").end();
      return;
    }
    const q = req.query["track"];
    const tracks = (Array.isArray(q) ? q : q === undefined ? [] : [q]).filter((t): t is string => typeof t === "string");
    const now = d.clock.now();
    const first: AnalyzerStreamEvent[] = [{ type: "overview", overview: buildOverview(d.engine, d.configuredRegions, now) }];
    for (const a of d.engine.book.firing()) first.push({ type: "alert", alert: a });
    for (const t of tracks) {
      const g = buildTrackGraph(d.engine, t, now);
      if (g !== null) first.push({ type: "track", graph: g });
    }
    d.hub.add(res, tracks, first);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: "not_found" });
  });
  app.use(errorHandler(d.metrics));
  return app;
}

function bearer(token: string | undefined, metrics: AnalyzerMetrics): RequestHandler {
  const want = token === undefined ? null : createHash("sha256").update(token).digest();
  return (req, res, next) => {
    if (want === null) {
      next();
      return;
    }
    const header = req.headers.authorization ?? "";
    const got = header.startsWith("Bearer ") ? createHash("sha256").update(header.slice(7)).digest() : null;
    if (got === null || !timingSafeEqual(got, want)) {
      metrics.ingestRejected.inc({ reason: "unauthorized" });
      res.status(401).set("www-authenticate", 'Bearer realm="relaywatch"').json({ error: "unauthorized", detail: "a valid bearer token is required" });
      return;
    }
    next();
  };
}

function errorHandler(metrics: AnalyzerMetrics): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const type = typeof err === "object" && err !== null && "type" in err ? String((err).type) : "";
    if (type === "entity.too.large") {
      metrics.ingestRejected.inc({ reason: "too_large" });
      res.status(413).json({ error: "payload_too_large", detail: `bodies are limited to ${INGEST_BODY_LIMIT}` });
      return;
    }
    if (type === "entity.parse.failed") {
      metrics.ingestRejected.inc({ reason: "invalid_json" });
      res.status(400).json({ error: "invalid_json", path: "", detail: "the body is not valid JSON" });
      return;
    }
    // The body parser's other verdicts on what the client sent (unsupported content-encoding
    // or charset, a body shorter than its length…) carry a 4xx status: never a 500 for them.
    const status = typeof err === "object" && err !== null && "status" in err && typeof err.status === "number" ? err.status : 500;
    if (status >= 400 && status < 500) {
      metrics.ingestRejected.inc({ reason: "invalid_body" });
      res.status(status).json({ error: "invalid_body", path: "", detail: type === "" ? "the request body cannot be read" : `the request body cannot be read (${type})` });
      return;
    }
    res.status(500).json({ error: "internal", detail: "internal error" });
  };
}

export interface Listening {
  server: Server;
  /** e.g. https://10.231.0.2:7700 (IPv6 in brackets). */
  url: string;
}

/**
 * Listens on HOST:PORT (port 0 picks a free one; `[::]` or `::` for IPv6), over HTTPS when
 * `tls` is given, with no handler yet, so the URL is known before the parts that need it
 * (alert links) are built; attach the app with `server.on("request", app)` in the same tick.
 * Rejects (EADDRINUSE…) with nothing listening.
 */
export async function bindHttp(hostPort: string, tls: ServerTls | null = null): Promise<Listening> {
  const idx = hostPort.lastIndexOf(":");
  const server = createHttpServer(tls);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(hostPort.slice(idx + 1)), hostPort.slice(0, idx).replace(/^\[(.*)\]$/, "$1"), () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, url: baseUrl(tls, server.address() as AddressInfo) };
}
