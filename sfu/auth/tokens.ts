// Bearer tokens for WHIP publish and WHEP subscribe: standard JWTs (RFC 7519), HS256 over
// the shared token secret, so any JWT tool (jose, jwt.io, `relaywatch token`) can mint and
// read them. Claims: `room`, `track` ('*' = any track in the room), `perm`
// (publish|subscribe), `exp` (RFC 7519 NumericDate, seconds) and `aud` = "relaywatch".
//
//   issueToken(secret, claims) → string                    (synchronous: in-process callers)
//   verifyToken(secret, token, want, now) → Promise<{ok:true, claims} | {ok:false, error, detail}>
//   verifyTokenClaims(secret, token, now)  → the same, without the room/track/perm check
//   bearerToken(authorizationHeader) → string | undefined
//
// Verification is jose's `jwtVerify` (signature in constant time, HS256 only — `none` and
// every other alg refused — audience, expiry, nbf); claims are then parsed with zod.
// Minting is the RFC 7515 compact serialisation written out (header.payload.HMAC): jose only
// signs asynchronously and the issuers (lab world, probe agent, test kits) mint inline; the
// tests check that jose verifies what this mints and that this accepts what jose mints.
// `TokenClaims.exp` stays in milliseconds, like every time in relaywatch; on the wire it is
// whole seconds, rounded down (a token never lives longer than asked). Never log a token or
// a secret. Pure apart from hashing.
import { createHmac } from "node:crypto";
import { decodeProtectedHeader, errors, jwtVerify } from "jose";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";

/**
 * 32 bytes: RFC 7518 §3.2 requires an HS256 key at least as long as the hash output
 * (256 bits); shorter secrets are refused at issue and verify time alike.
 */
export const MIN_SECRET_BYTES = 32;

/** 2 KiB: a real token is ~200 characters; the bound caps the work done on garbage. */
export const MAX_TOKEN_LENGTH = 2048;

/** HS256 (RFC 7518 §3.2), the one algorithm accepted: a shared secret, and every JWT tool has it. */
export const TOKEN_ALGORITHM = "HS256";

/**
 * The `aud` claim every token must carry (RFC 7519 §4.1.3): a JWT another service minted
 * with the same secret for itself is not a relaywatch token.
 */
export const TOKEN_AUDIENCE = "relaywatch";

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

/** The claims as they travel in the JWT: `exp` in seconds; other claims (aud, iat, jti…) pass. */
const jwtClaimsSchema = tokenClaimsSchema.extend({ exp: z.number().nonnegative() });

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

const JWT_HEADER = Buffer.from(JSON.stringify({ alg: TOKEN_ALGORITHM, typ: "JWT" }), "utf8").toString("base64url");

export function issueToken(secret: Secret, claims: TokenClaims): string {
  const { room, track, perm, exp } = tokenClaimsSchema.parse(claims);
  const payload = { aud: TOKEN_AUDIENCE, room, track, perm, exp: Math.floor(exp / 1000) };
  const input = `${JWT_HEADER}.${Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")}`;
  const signature = createHmac("sha256", checkedSecret(secret)).update(input, "ascii").digest("base64url");
  return `${input}.${signature}`;
}

/** Checks the token for this room, track and permission (see verifyTokenClaims for the rest). */
export async function verifyToken(secret: Secret, token: string | null | undefined, want: TokenWant, now: number): Promise<VerifyTokenResult> {
  const r = await verifyTokenClaims(secret, token, now);
  return r.ok ? checkScope(r.claims, want) : r;
}

/** Signature, algorithm, audience, expiry and claim shapes; not what the token grants. */
export async function verifyTokenClaims(secret: Secret, token: string | null | undefined, now: number): Promise<VerifyTokenResult> {
  const key = checkedSecret(secret);
  if (token === undefined || token === null || token === "") return fail("missing", "no bearer token");
  if (token.length > MAX_TOKEN_LENGTH) return fail("malformed", `token longer than ${MAX_TOKEN_LENGTH} characters`);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      audience: TOKEN_AUDIENCE,
      requiredClaims: ["exp"],
      currentDate: new Date(now),
    }));
  } catch (err) {
    return joseFailure(err, token, now);
  }
  const parsed = jwtClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail("malformed", `claim ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
  }
  const { room, track, perm, exp } = parsed.data;
  return { ok: true, claims: { room, track, perm, exp: Math.floor(exp * 1000) } };
}

/** Whether verified claims grant `want` (pure). */
export function checkScope(claims: TokenClaims, want: TokenWant): VerifyTokenResult {
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

/** jose's verdicts in our error set; anything that is not a JOSE error is a bug and is thrown. */
function joseFailure(err: unknown, token: string, now: number): VerifyTokenResult {
  if (err instanceof errors.JWTExpired) {
    const exp = typeof err.payload.exp === "number" ? err.payload.exp * 1000 : now;
    return fail("expired", `expired ${Math.round((now - exp) / 1000)} s ago`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return fail("forbidden", `token is for audience ${JSON.stringify(err.payload.aud ?? null)}, not "${TOKEN_AUDIENCE}"`);
    return fail("malformed", `claim ${err.claim}: ${err.message}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail("bad_signature", "signature does not match");
  if (err instanceof errors.JOSEAlgNotAllowed) return fail("bad_signature", `alg ${JSON.stringify(headerAlg(token))} is not accepted, only ${TOKEN_ALGORITHM}`);
  if (err instanceof errors.JOSEError) return fail("malformed", `not a JWT (header.claims.signature, base64url JSON): ${err.message}`);
  throw err;
}

function headerAlg(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

function checkedSecret(secret: Secret): Uint8Array {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (key.length < MIN_SECRET_BYTES) throw new ConfigError("token secret (bytes)", key.length, `a secret of at least ${MIN_SECRET_BYTES} bytes`);
  return key;
}

function fail(error: TokenError, detail: string): VerifyTokenResult {
  return { ok: false, error, detail };
}
