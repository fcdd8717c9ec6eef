// The one shape of every 4xx/5xx the region node answers: `{"error": code, "detail": text}`,
// so clients and peers branch on `error` and humans read `detail`. Never echoes secrets.
import type { ErrorRequestHandler, Response } from "express";

export function sendError(res: Response, status: number, error: string, detail: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ error, detail });
}

interface BodyParserError {
  status?: number;
  type?: string;
  limit?: number;
}

/**
 * Last middleware: body-parser failures become 413/400 JSON, anything else a 500 that is
 * logged by the caller's hook, never a crash or an HTML stack trace.
 */
export function jsonErrorHandler(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const e = (typeof err === "object" && err !== null ? err : {}) as BodyParserError;
    if (e.type === "entity.too.large" || e.status === 413) {
      sendError(res, 413, "body_too_large", `request body is larger than ${e.limit ?? "the limit"} bytes`);
      return;
    }
    if (e.type === "entity.parse.failed") {
      sendError(res, 400, "invalid_json", "request body is not valid JSON");
      return;
    }
    if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
      sendError(res, e.status, "bad_request", e.type ?? "the request could not be read");
      return;
    }
    onUnexpected(err);
    sendError(res, 500, "internal", "unexpected error; see the region's log");
  };
}
