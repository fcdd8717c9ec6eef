// Builds the signaling token verifier and the relay-call authenticator from the node's
// secrets. INTERIM: sfu/auth/ (tokens.ts, relay-hmac.ts) was not in the tree when the
// region node was written; this file carries a minimal HMAC-SHA256 implementation behind
// the same seams (AccessTokenVerifier, RelayCallAuth) and is the one place to switch to
// sfu/auth once it lands. Never logs or echoes a token, signature or secret.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Clock } from "../../core/clock.js";
import { regionSchema } from "../../core/region.js";
import type { AccessTokenVerifier, TokenAction } from "../http/access-tokens.js";
import type { RelayCallAuth } from "./relay-call-auth.js";

/** 30 s: covers clock skew between lab processes and a slow hop; nonces are kept this long. */
export const RELAY_CALL_WINDOW_MS = 30_000;
/** Bounds the replay cache: far above the calls 30 s of a busy mesh makes. */
const MAX_NONCES = 100_000;

const claimsSchema = z.object({
  room: z.string().min(1).max(128),
  track: z.string().min(1).max(128),
  /** `*` grants every track of the room. */
  actions: z.array(z.enum(["publish", "subscribe"])).min(1),
  exp: z.number().int().nonnegative(),
});
export type AccessClaims = z.infer<typeof claimsSchema>;

function mac(secret: string, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/** Mints a bearer token (tests, probes, the lab launcher). `exp` is ms since the epoch. */
export function mintAccessToken(secret: string, claims: AccessClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${body}.${mac(secret, body).toString("base64url")}`;
}

export function createAccessTokenVerifier(secret: string, clock: Clock): AccessTokenVerifier {
  return {
    verify(authorization, want: { room: string; track: string; action: TokenAction }) {
      const m = /^Bearer ([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{43})$/.exec(authorization ?? "");
      if (authorization === undefined || authorization === "") return { ok: false, error: "missing_token", detail: "an Authorization: Bearer token is required" };
      if (m === null) return { ok: false, error: "invalid_token", detail: "the bearer token is malformed" };
      const [, body = "", sig = ""] = m;
      const given = Buffer.from(sig, "base64url");
      const expected = mac(secret, body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, error: "invalid_token", detail: "the bearer token's signature does not verify" };
      let claims: AccessClaims;
      try {
        claims = claimsSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
      } catch {
        return { ok: false, error: "invalid_token", detail: "the bearer token's claims cannot be read" };
      }
      if (claims.exp <= clock.now()) return { ok: false, error: "token_expired", detail: "the bearer token has expired" };
      if (claims.room !== want.room || (claims.track !== "*" && claims.track !== want.track) || !claims.actions.includes(want.action)) {
        return { ok: false, error: "token_scope", detail: `the token does not grant ${want.action} on ${want.room}/${want.track}` };
      }
      return { ok: true };
    },
  };
}

const H_REGION = "x-relaywatch-region";
const H_TS = "x-relaywatch-timestamp";
const H_NONCE = "x-relaywatch-nonce";
const H_SIG = "x-relaywatch-signature";

function canonical(method: string, path: string, from: string, ts: string, nonce: string, body: string): string {
  return [method.toUpperCase(), path, from, ts, nonce, createHash("sha256").update(body).digest("hex")].join("\n");
}

export function createRelayCallAuth(secret: string, clock: Clock): RelayCallAuth {
  const seen = new Map<string, number>();
  const prune = (now: number): void => {
    for (const [nonce, until] of seen) {
      if (until > now && seen.size <= MAX_NONCES) break;
      seen.delete(nonce);
    }
  };
  return {
    sign({ method, path, body, from }) {
      const ts = String(Math.floor(clock.now()));
      const nonce = randomBytes(16).toString("base64url");
      return { [H_REGION]: from, [H_TS]: ts, [H_NONCE]: nonce, [H_SIG]: mac(secret, canonical(method, path, from, ts, nonce, body)).toString("base64url") };
    },
    verify(input) {
      const { method, path, body } = input;
      const from = input.header(H_REGION) ?? "";
      const ts = input.header(H_TS) ?? "";
      const nonce = input.header(H_NONCE) ?? "";
      const sig = input.header(H_SIG) ?? "";
      if (from === "" || ts === "" || nonce === "" || sig === "") return { ok: false, error: "unsigned", detail: "relay calls must be signed" };
      if (!regionSchema.safeParse(from).success || !/^\d{1,16}$/.test(ts) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) {
        return { ok: false, error: "bad_signature", detail: "malformed signature headers" };
      }
      const given = Buffer.from(sig, "base64url");
      const expected = mac(secret, canonical(method, path, from, ts, nonce, body));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, error: "bad_signature", detail: "the signature does not verify" };
      const now = clock.now();
      if (Math.abs(now - Number(ts)) > RELAY_CALL_WINDOW_MS) return { ok: false, error: "stale_timestamp", detail: `timestamp outside the ${RELAY_CALL_WINDOW_MS} ms window` };
      prune(now);
      if (seen.has(nonce)) return { ok: false, error: "replayed_nonce", detail: "this nonce was already used" };
      seen.set(nonce, Number(ts) + RELAY_CALL_WINDOW_MS);
      return { ok: true, from };
    },
  };
}
