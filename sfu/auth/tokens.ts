// Bearer tokens for WHIP publish and WHEP subscribe: HMAC-SHA256-signed claims
// `{room, track ('*' = any track in the room), perm, exp}` in a compact form,
// `base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part))`.
// (`jose` is not a dependency; this is the small subset of JWT HS256 we need.)
//
//   issueToken(secret, claims) → string
//   verifyToken(secret, token, want, now) → {ok:true, claims} | {ok:false, error, detail}
//   bearerToken(authorizationHeader) → string | undefined
//
// `exp` is in milliseconds since the epoch, like every time in relaywatch. Signatures are
// compared in constant time. Never log a token or a secret. Pure apart from hashing.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";

/**
 * 32 bytes: RFC 7518 §3.2 requires an HS256 key at least as long as the hash output
 * (256 bits); shorter secrets are refused at issue and verify time alike.
 */
export const MIN_SECRET_BYTES = 32;

/** 2 KiB: a real token is ~200 characters; the bound caps the work done on garbage. */
export const MAX_TOKEN_LENGTH = 2048;

export const TOKEN_PERMS = ["publish", "subscribe"] as const;
export type TokenPerm = (typeof TOKEN_PERMS)[number];

const namePart = z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, "expected a URL-safe name of 1-128 characters");

export const tokenClaimsSchema = z.object({
  room: namePart,
  track: z.union([z.literal("*"), namePart]),
  perm: z.enum(TOKEN_PERMS),
  /** Expiry, ms since epoch: the token is refused from this instant on. */
  exp: z.number().int().nonnegative(),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

export const TOKEN_ERRORS = ["missing", "malformed", "bad_signature", "expired", "forbidden"] as const;
export type TokenError = (typeof TOKEN_ERRORS)[number];

export type VerifyTokenResult = { ok: true; claims: TokenClaims } | { ok: false; error: TokenError; detail: string };

/** What the request wants to do. */
export interface TokenWant {
  room: string;
  track: string;
  perm: TokenPerm;
}

export type Secret = string | Uint8Array;

export function issueToken(secret: Secret, claims: TokenClaims): string {
  const parsed = tokenClaimsSchema.parse(claims);
  const payload = Buffer.from(JSON.stringify(parsed), "utf8").toString("base64url");
  return `${payload}.${sign(checkedSecret(secret), payload).toString("base64url")}`;
}

const TOKEN_RE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

export function verifyToken(secret: Secret, token: string | null | undefined, want: TokenWant, now: number): VerifyTokenResult {
  const key = checkedSecret(secret);
  if (token === undefined || token === null || token === "") return fail("missing", "no bearer token");
  if (token.length > MAX_TOKEN_LENGTH) return fail("malformed", `token longer than ${MAX_TOKEN_LENGTH} characters`);
  const m = TOKEN_RE.exec(token);
  if (m === null) return fail("malformed", "expected base64url claims, a dot and a base64url signature");
  const [, payload = "", sig = ""] = m;
  const given = Buffer.from(sig, "base64url");
  const expected = sign(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail("bad_signature", "signature does not match");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return fail("malformed", "claims are not JSON");
  }
  const parsed = tokenClaimsSchema.safeParse(json);
  if (!parsed.success) return fail("malformed", `claims: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const claims = parsed.data;
  if (now >= claims.exp) return fail("expired", `expired ${Math.round((now - claims.exp) / 1000)} s ago`);
  if (claims.room !== want.room) return fail("forbidden", `token is for room ${claims.room}, not ${want.room}`);
  if (claims.track !== "*" && claims.track !== want.track) return fail("forbidden", `token is for track ${claims.track}, not ${want.track}`);
  if (claims.perm !== want.perm) return fail("forbidden", `token grants ${claims.perm}, not ${want.perm}`);
  return { ok: true, claims };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}

function sign(key: Uint8Array, payload: string): Buffer {
  return createHmac("sha256", key).update(payload, "utf8").digest();
}

function checkedSecret(secret: Secret): Uint8Array {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (key.length < MIN_SECRET_BYTES) throw new ConfigError("token secret (bytes)", key.length, `a secret of at least ${MIN_SECRET_BYTES} bytes`);
  return key;
}

function fail(error: TokenError, detail: string): VerifyTokenResult {
  return { ok: false, error, detail };
}
