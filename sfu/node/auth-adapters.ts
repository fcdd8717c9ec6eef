// Builds the signaling token verifier and the relay-call authenticator from the node's
// secrets, on sfu/auth (tokens.ts, relay-hmac.ts). The sender region travels in the signed
// path (`?from=eu-west`), so it cannot be altered without breaking the signature. Never
// logs or echoes a token, signature or secret.
import type { Clock } from "../../core/clock.js";
import { regionSchema } from "../../core/region.js";
import { NonceCache, signRelayRequest, verifyRelayRequest, type RelayAuthError } from "../auth/relay-hmac.js";
import { bearerToken, verifyToken, type TokenError } from "../auth/tokens.js";
import type { AccessTokenVerifier } from "../http/access-tokens.js";
import type { RelayCallAuth } from "./relay-call-auth.js";

/** The `error` codes signaling answers with, per token failure. */
const TOKEN_ERROR_CODES: Readonly<Record<TokenError, string>> = {
  missing: "missing_token",
  malformed: "invalid_token",
  bad_signature: "invalid_token",
  expired: "token_expired",
  forbidden: "token_forbidden",
};

const RELAY_ERROR_CODES: Readonly<Record<RelayAuthError, string>> = {
  missing: "unsigned",
  malformed: "bad_signature",
  bad_signature: "bad_signature",
  stale_timestamp: "stale_timestamp",
  replayed_nonce: "replayed_nonce",
};

export function createAccessTokenVerifier(secret: string, clock: Clock): AccessTokenVerifier {
  return {
    async verify(authorization, want) {
      const r = await verifyToken(secret, bearerToken(authorization), { room: want.room, track: want.track, perm: want.action }, clock.now());
      return r.ok ? { ok: true } : { ok: false, error: TOKEN_ERROR_CODES[r.error], detail: r.detail };
    },
  };
}

/** The path a relay call is sent to and signed with: the sender region in the query. */
export function signedRelayPath(path: string, from: string): string {
  return `${path}?from=${encodeURIComponent(from)}`;
}

export function createRelayCallAuth(secret: string, clock: Clock): RelayCallAuth {
  const nonces = new NonceCache();
  return {
    sign({ method, path, body, to }) {
      return signRelayRequest(secret, { method, path, to, body }, clock.now());
    },
    verify(input) {
      const from = new URLSearchParams(input.path.split("?")[1] ?? "").get("from") ?? "";
      if (!regionSchema.safeParse(from).success) return { ok: false, error: "unsigned", detail: "the calling region is missing from the signed path" };
      const headers: Record<string, string | undefined> = {};
      for (const name of ["x-relaywatch-timestamp", "x-relaywatch-nonce", "x-relaywatch-signature"]) headers[name] = input.header(name);
      const r = verifyRelayRequest(secret, { method: input.method, path: input.path, to: input.to, body: input.body }, headers, clock.now(), nonces);
      return r.ok ? { ok: true, from } : { ok: false, error: RELAY_ERROR_CODES[r.error], detail: r.detail };
    },
  };
}
