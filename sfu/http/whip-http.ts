// The HTTP conventions of WHIP/WHEP (RFC 9725) around the signaling routes: CORS for the
// configured browser origins (a page on another origin publishes with fetch(), which sends a
// preflight OPTIONS first), `Link: <…>; rel="ice-server"` headers for the configured STUN/TURN
// servers (RFC 9725 §4.6), and 405 with `Allow` for methods a session does not support (no
// trickle ICE and no ICE restart here, so PATCH gets 405 and no `Accept-Patch`, §4.3.1).
// Never sends credentials other than the TURN ones configured for clients.
import cors from "cors";
import type { RequestHandler } from "express";
import { ConfigError } from "../../core/errors.js";
import { sendError } from "./http-errors.js";

export interface IceServer {
  /** A `stun:`, `stuns:`, `turn:` or `turns:` URI (RFC 7064/7065), without credentials. */
  url: string;
  username?: string;
  credential?: string;
}

export interface WhipHttpOptions {
  /** Origins allowed to call WHIP/WHEP from a browser (`https://app.example`), or `*`. None: no CORS headers. */
  corsOrigins?: readonly string[];
  /** ICE servers announced to clients in `Link` headers on every 201. */
  iceServers?: readonly IceServer[];
}

/** What a session resource accepts: DELETE to end it (and OPTIONS for CORS). */
export const SESSION_ALLOW = "DELETE, OPTIONS";

/** Headers a browser page may read from our answers: the session URL, ICE servers, entity tag, relay path. */
const EXPOSED_HEADERS = ["Location", "Link", "ETag", "Relay-Path", "Retry-After"];
/** Request headers a publishing page sends: the bearer token, the SDP type, W3C trace context. */
const ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "traceparent", "tracestate"];
/**
 * 2 h: how long a browser may cache a preflight answer. Chromium caps Access-Control-Max-Age
 * at 7200 s (Firefox at 86400 s), so a longer value buys nothing.
 */
const PREFLIGHT_MAX_AGE_S = 7200;

const ICE_SCHEMES = ["stun:", "stuns:", "turn:", "turns:"];

/**
 * Parses `--ice-server`: a STUN/TURN URI, with TURN credentials as user info
 * (`turn:alice:secret@turn.example:3478?transport=udp`). They are handed to every client in
 * `Link` anyway, so they are long-term TURN credentials meant for clients, not a server secret.
 */
export function parseIceServer(key: string, value: string): IceServer {
  const scheme = ICE_SCHEMES.find((s) => value.startsWith(s));
  const rest = scheme === undefined ? "" : value.slice(scheme.length);
  if (scheme === undefined || rest === "" || /[\s<>"]/.test(value)) {
    throw new ConfigError(key, value, "a STUN or TURN URI like stun:stun.example:3478 or turn:user:pass@turn.example:3478?transport=udp");
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) return { url: value };
  const [username = "", ...credential] = rest.slice(0, at).split(":");
  if (username === "" || credential.length === 0 || !scheme.startsWith("turn")) {
    throw new ConfigError(key, value.replace(rest.slice(0, at), "…"), "credentials only on a turn:/turns: URI, as user:credential@host");
  }
  return { url: `${scheme}${rest.slice(at + 1)}`, username, credential: credential.join(":") };
}

/** Parses `--cors-origin`: `*` or a browser origin, `scheme://host[:port]` (no path). */
export function parseCorsOrigin(key: string, value: string): string {
  if (value === "*") return value;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== value) {
    throw new ConfigError(key, value, "* or an origin like https://app.example or http://localhost:8080 (scheme, host, optional port; no path or trailing slash)");
  }
  return value;
}

function quoted(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The `Link` header values for the ICE servers (RFC 9725 §4.6, RFC 8288). */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  return servers.map((s) => {
    const link = `<${s.url}>; rel="ice-server"`;
    if (s.username === undefined || s.credential === undefined) return link;
    return `${link}; username=${quoted(s.username)}; credential=${quoted(s.credential)}; credential-type="password"`;
  });
}

/**
 * CORS for the WHIP/WHEP routes: an allowed origin gets Access-Control-Allow-* on the preflight
 * and the answer; any other origin gets a 403 `cors_origin_refused` preflight (the browser then
 * never sends the POST). A request without `Origin` (not a browser) is not affected.
 */
export function whipCors(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.includes("*");
  const allowed = new Set(origins);
  const headers = cors({
    origin: anyOrigin ? "*" : [...allowed],
    methods: ["POST", "DELETE", "OPTIONS"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    const origin = req.get("origin");
    if (req.method === "OPTIONS" && origin !== undefined && !anyOrigin && !allowed.has(origin)) {
      sendError(res, 403, "cors_origin_refused", `origin ${origin} may not call this endpoint; allowed: ${origins.length === 0 ? "none (sfu --cors-origin)" : origins.join(", ")}`, { Vary: "Origin" });
      return;
    }
    headers(req, res, next);
  };
}

/** 405 for a method the resource does not support, with `Allow` (RFC 9110 §15.5.6). */
export function methodNotAllowed(allow: string): RequestHandler {
  return (req, res) => {
    sendError(res, 405, "method_not_allowed", `${req.method} is not supported here (no trickle ICE or ICE restart); allowed: ${allow}`, { Allow: allow });
  };
}
