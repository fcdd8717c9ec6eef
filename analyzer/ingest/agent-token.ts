// Probe agent credentials: a token bound to one region, signed with the analyzer's own
// token, so an agent can only report pairs into its region and the analyzer keeps no
// per-agent secret list. Format: `rwa1.<region>.<base64url HMAC-SHA256(analyzer token,
// "relaywatch agent v1\n" + region)>`. Rotating the analyzer token revokes every agent token.
// Comparisons are constant time; tokens are never logged.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { regionSchema, type Region } from "../../core/region.js";

export const AGENT_TOKEN_PREFIX = "rwa1";
const SIGNING_CONTEXT = "relaywatch agent v1\n";

/** Mints the ingest token for the probe agent of `region`. */
export function issueAgentToken(analyzerToken: string, region: Region): string {
  return `${AGENT_TOKEN_PREFIX}.${region}.${signature(analyzerToken, region)}`;
}

/** Who presented a bearer token at the ingest: an agent of one region, the operator, or nobody known. */
export type IngestIdentity = { kind: "agent"; region: Region } | { kind: "operator" } | { kind: "unknown" };

/**
 * Resolves a bearer token against the analyzer token: an agent token of that key, or the
 * analyzer token itself (an operator, not bound to a region).
 */
export function identify(analyzerToken: string, presented: string): IngestIdentity {
  const parts = presented.split(".");
  if (parts.length === 3 && parts[0] === AGENT_TOKEN_PREFIX) {
    const region = parts[1] ?? "";
    if (!regionSchema.safeParse(region).success) return { kind: "unknown" };
    return sameSecret(parts[2] ?? "", signature(analyzerToken, region)) ? { kind: "agent", region } : { kind: "unknown" };
  }
  return sameSecret(presented, analyzerToken) ? { kind: "operator" } : { kind: "unknown" };
}

function signature(key: string, region: Region): string {
  return createHmac("sha256", key).update(SIGNING_CONTEXT + region).digest("base64url");
}

/** Constant time whatever the lengths: both sides are hashed first. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
