// HMAC authentication of inter-region calls (`/relay/v1/*`): the caller signs method,
// path, destination region, body hash, timestamp and a one-time nonce with the mesh's
// shared secret; the callee checks the signature (with itself as the destination), that
// the timestamp is within the clock window, and that the nonce was not seen before
// (bounded replay cache). The whole mesh shares one secret and each region keeps its own
// nonce cache, so without the destination a call captured on its way to one region could
// be replayed once to every other region; with it, such a replay is a bad signature.
//
//   signRelayRequest(secret, req, now, nonce?) → headers to add
//   verifyRelayRequest(secret, req, headers, now, nonces) → {ok:true} | {ok:false, error, detail}
//   new NonceCache({windowMs?, maxEntries?})
//
// Signed string: METHOD \n path-with-query \n destination \n timestamp \n nonce \n sha256-hex(body).
// The signature is checked first, so unauthenticated junk never enters the nonce cache.
// No I/O; time is passed in; the only impurity is the default random nonce.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

export const RELAY_HMAC_HEADERS = {
  timestamp: "x-relaywatch-timestamp",
  nonce: "x-relaywatch-nonce",
  signature: "x-relaywatch-signature",
} as const;

/**
 * ±30 s: NTP keeps our hosts within milliseconds, so this only has to absorb a drifting
 * host and a slow retry; it is much tighter than AWS SigV4's 15 min or Slack's 5 min
 * because both ends are ours, and it bounds how long a nonce must be remembered.
 */
export const RELAY_CLOCK_WINDOW_MS = 30_000;

/**
 * 100,000 nonces ≈ 3,300 signed calls/s sustained over the window — far above a region's
 * control-plane rate (announcements, pulls, heartbeats: tens per second per peer).
 */
export const NONCE_CACHE_MAX_ENTRIES = 100_000;

/** 32 bytes, as for tokens (RFC 7518 §3.2 for HMAC-SHA256 keys). */
export const MIN_RELAY_SECRET_BYTES = 32;

export const RELAY_AUTH_ERRORS = ["missing", "malformed", "bad_signature", "stale_timestamp", "replayed_nonce"] as const;
export type RelayAuthError = (typeof RELAY_AUTH_ERRORS)[number];
export type RelayAuthResult = { ok: true } | { ok: false; error: RelayAuthError; detail: string };

export interface RelayRequest {
  method: string;
  /** Path with query string, exactly as sent: `/relay/v1/pull`. */
  path: string;
  /** The region the call is sent to; the callee verifies with its own region here. */
  to: string;
  body: string | Uint8Array;
}

/** Incoming headers with lowercase names (Node's `req.headers`). */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export type RelaySecret = string | Uint8Array;

export function signRelayRequest(
  secret: RelaySecret,
  req: RelayRequest,
  now: number,
  nonce: string = randomBytes(16).toString("base64url"),
): Record<(typeof RELAY_HMAC_HEADERS)[keyof typeof RELAY_HMAC_HEADERS], string> {
  const timestamp = String(Math.floor(now));
  return {
    [RELAY_HMAC_HEADERS.timestamp]: timestamp,
    [RELAY_HMAC_HEADERS.nonce]: nonce,
    [RELAY_HMAC_HEADERS.signature]: mac(checkedSecret(secret), req, timestamp, nonce).toString("base64url"),
  };
}

const TIMESTAMP_RE = /^\d{1,16}$/;
const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;
const SIGNATURE_RE = /^[A-Za-z0-9_-]{43}$/;

export function verifyRelayRequest(
  secret: RelaySecret,
  req: RelayRequest,
  headers: HeaderBag,
  now: number,
  nonces: NonceCache,
): RelayAuthResult {
  const key = checkedSecret(secret);
  const timestamp = header(headers, RELAY_HMAC_HEADERS.timestamp);
  const nonce = header(headers, RELAY_HMAC_HEADERS.nonce);
  const signature = header(headers, RELAY_HMAC_HEADERS.signature);
  if (timestamp === undefined || nonce === undefined || signature === undefined) {
    return fail("missing", `expected ${Object.values(RELAY_HMAC_HEADERS).join(", ")}`);
  }
  if (!TIMESTAMP_RE.test(timestamp)) return fail("malformed", `${RELAY_HMAC_HEADERS.timestamp}: expected milliseconds since the epoch`);
  if (!NONCE_RE.test(nonce)) return fail("malformed", `${RELAY_HMAC_HEADERS.nonce}: expected 16-64 base64url characters`);
  if (!SIGNATURE_RE.test(signature)) return fail("malformed", `${RELAY_HMAC_HEADERS.signature}: expected a base64url HMAC-SHA256`);
  const expected = mac(key, req, timestamp, nonce);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail("bad_signature", "signature does not match");
  const skew = now - Number(timestamp);
  if (Math.abs(skew) > nonces.windowMs) {
    return fail("stale_timestamp", `timestamp is ${Math.round(skew / 1000)} s off; the window is ±${nonces.windowMs / 1000} s`);
  }
  if (!nonces.remember(nonce, Number(timestamp), now)) return fail("replayed_nonce", "nonce already used");
  return { ok: true };
}

/**
 * The nonces seen within the clock window. A nonce is kept until its timestamp leaves
 * the window (after which the timestamp check refuses a replay anyway). When full, the
 * oldest entry is dropped: only peers holding the secret can add entries, so filling it
 * takes a misbehaving peer, and `evictedEarly` counts it for metrics.
 */
export class NonceCache {
  readonly windowMs: number;
  readonly maxEntries: number;
  /** Entries dropped before their time because the cache was full. */
  evictedEarly = 0;
  private readonly seen = new Map<string, number>();

  constructor(opts: { windowMs?: number; maxEntries?: number } = {}) {
    this.windowMs = opts.windowMs ?? RELAY_CLOCK_WINDOW_MS;
    this.maxEntries = Math.max(1, opts.maxEntries ?? NONCE_CACHE_MAX_ENTRIES);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Records `nonce`; false when it is already known (a replay). */
  remember(nonce: string, timestamp: number, now: number): boolean {
    this.evict(now);
    const until = this.seen.get(nonce);
    if (until !== undefined && now <= until) return false;
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) {
        this.seen.delete(oldest.value);
        this.evictedEarly++;
      }
    }
    this.seen.delete(nonce);
    this.seen.set(nonce, timestamp + this.windowMs);
    return true;
  }

  /** Drops expired entries from the front (insertion order; cheap on every call). */
  private evict(now: number): void {
    for (const [nonce, until] of this.seen) {
      if (now <= until) break;
      this.seen.delete(nonce);
    }
  }
}

function mac(key: Uint8Array, req: RelayRequest, timestamp: string, nonce: string): Buffer {
  const bodyHash = createHash("sha256").update(req.body).digest("hex");
  return createHmac("sha256", key)
    .update(`${req.method.toUpperCase()}\n${req.path}\n${req.to}\n${timestamp}\n${nonce}\n${bodyHash}`, "utf8")
    .digest();
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : v.length === 1 ? v[0] : undefined;
}

function checkedSecret(secret: RelaySecret): Uint8Array {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (key.length < MIN_RELAY_SECRET_BYTES) throw new ConfigError("relay secret (bytes)", key.length, `a secret of at least ${MIN_RELAY_SECRET_BYTES} bytes`);
  return key;
}

function fail(error: RelayAuthError, detail: string): RelayAuthResult {
  return { ok: false, error, detail };
}
