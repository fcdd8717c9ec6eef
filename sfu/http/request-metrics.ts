// Counts every HTTP request by route template (never the raw path: track names would
// explode the label set) and status, once the response has finished.
import type { RequestHandler } from "express";
import type { SfuMetrics } from "../telemetry/metrics.js";

export function requestMetrics(metrics: SfuMetrics): RequestHandler {
  return (req, res, next) => {
    res.on("finish", () => {
      const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
      metrics.httpRequestsTotal.inc({ route: typeof route === "string" ? route : "unmatched", status: String(res.statusCode) });
    });
    next();
  };
}
