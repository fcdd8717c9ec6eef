// The seam between the relay API and its authentication: signing outgoing inter-region
// calls and verifying incoming ones (HMAC over method, path, body, sender, destination,
// timestamp and nonce, with a replay window — sfu/auth/relay-hmac.ts does the cryptography; the adapter
// is sfu/node/auth-adapters.ts).
import type { Region } from "../../core/region.js";

export interface SignInput {
  method: string;
  /** The URL path and query as sent, e.g. /relay/v1/pull?from=eu-west. */
  path: string;
  body: string;
  from: Region;
  /** The region the call goes to: a call replayed to another region fails verification. */
  to: Region;
}

export interface VerifyInput {
  method: string;
  path: string;
  body: string;
  /** This region, the call's destination as the caller must have signed it. */
  to: Region;
  header(name: string): string | undefined;
}

export type VerifyResult = { ok: true; from: Region } | { ok: false; error: string; detail: string };

export interface RelayCallAuth {
  /** Headers that authenticate this call. */
  sign(input: SignInput): Record<string, string>;
  verify(input: VerifyInput): VerifyResult;
}
