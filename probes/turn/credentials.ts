// TURN credentials of a probe agent: static (a file: username on the first line, password
// on the second) or the TURN REST API's ephemeral ones from a shared secret, as coturn
// checks them with `use-auth-secret` / `static-auth-secret` (draft-uberti-behave-turn-rest):
// username = `<expiry unix seconds>:<user>`, credential = base64(HMAC-SHA1(secret, username)).
// The secret never leaves this module: only derived, expiring credentials are handed out.
import { createHmac } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

export interface TurnCredentials {
  username: string;
  credential: string;
}

/**
 * 1 h: credentials are derived afresh for every session, so they only need to outlive one
 * allocation's setup and refreshes; short-lived is the point of the REST scheme (the draft
 * suggests about a day as an upper bound).
 */
export const DEFAULT_REST_TTL_S = 3600;

export type CredentialSource =
  | { kind: "static"; username: string; credential: string }
  | { kind: "rest"; secret: string; user: string; ttlS: number };

/** Ephemeral REST-API credentials valid until now + ttlS. */
export function restCredentials(secret: string, user: string, nowMs: number, ttlS = DEFAULT_REST_TTL_S): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${user}`;
  return { username, credential: createHmac("sha1", secret).update(username).digest("base64") };
}

export function credentialsAt(source: CredentialSource, nowMs: number): TurnCredentials {
  return source.kind === "static" ? { username: source.username, credential: source.credential } : restCredentials(source.secret, source.user, nowMs, source.ttlS);
}

/** A credentials file's text: username on line 1, password on line 2 (either may hold ':'). */
export function parseCredentialFile(flag: string, text: string): CredentialSource {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const [username, credential] = lines;
  if (lines.length !== 2 || username === undefined || credential === undefined) {
    throw new ConfigError(flag, "(file contents not shown)", "two lines: the TURN username, then its password");
  }
  return { kind: "static", username, credential };
}

/** A shared-secret file's text (coturn's static-auth-secret): one line, surrounding whitespace ignored. */
export function parseSecretFile(flag: string, text: string, user: string, ttlS = DEFAULT_REST_TTL_S): CredentialSource {
  const secret = text.trim();
  if (secret.length === 0 || secret.includes("\n")) throw new ConfigError(flag, "(file contents not shown)", "one line: the TURN REST API shared secret");
  return { kind: "rest", secret, user, ttlS };
}
