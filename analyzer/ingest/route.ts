// `POST /v1/ingest/probes` over HTTP: who is calling (an agent token bound to a region, or
// the analyzer token), the body against core's schema, then ProbeIngest. Mounted before
// the /v1 bearer check, because agent tokens are good here and nowhere else. Answers:
// 202 taken in (durable), 200 nothing new (a re-sent batch), 400 bad body, 401 bad or
// missing token, 403 a pair outside the agent's region, 422 a result outside the skew
// window, 429/503 later (Retry-After). Never a 5xx for what a client sent.
import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import express, { type RequestHandler } from "express";
import { probeIngestSchema } from "../../core/probe-result.js";
import { parsePayload } from "../../core/validate.js";
import type { AnalyzerMetrics } from "../telemetry.js";
import { identify, type IngestIdentity } from "./agent-token.js";
import type { IngestAnswer, ProbeIngest } from "./probe-ingest.js";

export const INGEST_ROUTE = "/v1/ingest/probes";
/** 8 MiB: a full batch (MAX_PROBE_BATCH = 10,000 results at ~500 bytes) fits; anything larger is refused with 413. */
export const INGEST_BODY_LIMIT = "8mb";
/** Batch ids are the agent's own strings: kept only this long in logs and spans. */
const MAX_BATCH_ID_CHARS = 200;

export interface IngestRouteDeps {
  ingest: ProbeIngest;
  /** The analyzer token; undefined runs the ingest open (anyone may report any configured region). */
  token: string | undefined;
  metrics: AnalyzerMetrics;
  tracer: Tracer;
}

/** The handlers to mount on INGEST_ROUTE: authentication, body parsing, ingest. */
export function ingestHandlers(d: IngestRouteDeps): RequestHandler[] {
  const authenticate: RequestHandler = (req, res, next) => {
    if (d.token === undefined) {
      res.locals["identity"] = null;
      next();
      return;
    }
    const header = req.headers.authorization ?? "";
    const identity: IngestIdentity = header.startsWith("Bearer ") ? identify(d.token, header.slice(7)) : { kind: "unknown" };
    if (identity.kind === "unknown") {
      d.metrics.ingestRejected.inc({ reason: "unauthorized" });
      res.status(401).set("www-authenticate", 'Bearer realm="relaywatch"').json({ error: "unauthorized", detail: "a valid agent token (or the analyzer token) is required as a bearer token" });
      return;
    }
    res.locals["identity"] = identity;
    next();
  };
  const handle: RequestHandler = async (req, res) => {
    // Semantic-convention HTTP names; relaywatch.* only for the batch (results, batch id).
    const span = d.tracer.startSpan("analyzer.ingest.probes", { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_HTTP_ROUTE]: INGEST_ROUTE, [ATTR_URL_PATH]: req.path } });
    try {
      const parsed = parsePayload(probeIngestSchema, req.body);
      if (!parsed.ok) {
        d.metrics.ingestRejected.inc({ reason: "invalid_payload" });
        span.setStatus({ code: SpanStatusCode.ERROR, message: "invalid_payload" });
        setStatusCode(span, 400);
        res.status(400).json({ error: "invalid_payload", path: parsed.error.path, detail: parsed.error.message });
        return;
      }
      const batchHeader = req.headers["x-relaywatch-batch"];
      const batch = typeof batchHeader === "string" ? batchHeader.slice(0, MAX_BATCH_ID_CHARS) : null;
      span.setAttribute("relaywatch.results", parsed.value.results.length);
      if (batch !== null) span.setAttribute("relaywatch.batch", batch);
      const answer = await d.ingest.ingest({ identity: res.locals["identity"] as IngestIdentity | null, agent: parsed.value.agent, batch, results: parsed.value.results });
      setStatusCode(span, answer.status);
      if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: String(answer.body["error"]) });
      send(res, answer);
    } finally {
      span.end();
    }
  };
  return [authenticate, express.json({ limit: INGEST_BODY_LIMIT }), handle];
}

/** http.response.status_code, and error.type (the status code) for a 4xx or 5xx, as the HTTP conventions say. */
function setStatusCode(span: Span, status: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(status));
}

function send(res: express.Response, a: IngestAnswer): void {
  if (a.retryAfterS !== undefined) res.set("retry-after", String(a.retryAfterS));
  res.status(a.status).json(a.body);
}
