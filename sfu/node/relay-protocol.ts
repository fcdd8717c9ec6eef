// The inter-region relay API (`/relay/v1/*`): its paths (RELAY_PATHS, the one place they
// are written), its payload schemas beyond the pull policy's request and accept bodies
// (sfu/relay/pull-policy.ts), and how a pull's answer is read (classifyPullReply, shared by
// the region node and the simulator). Every call is HMAC-signed by the sender for its
// destination region and verified before any of this is parsed.
//
//   POST /relay/v1/pull        downstream → upstream: pull a track into `port` (our relay-in)
//        200 {chain, pending:false, media}  served: the relay-out is open, packets follow
//        202 {chain, pending:true}          attached to our own relay still being set up;
//                                           a pull-result follows when it is ready (or fails)
//        4xx {error, detail}                refused (409 relay_loop, 404 no_source, ...)
//   POST /relay/v1/pull-result upstream → downstream: the outcome of a pending pull
//   POST /relay/v1/close       upstream → downstream: the relay of `pullId` has ended
//   POST /relay/v1/leave       downstream → upstream: release the relay of `pullId`
//   POST /relay/v1/announce    track table announcement (sfu/relay/track-table.ts)
//   POST /relay/v1/heartbeat   health probe; the answer carries the peer's region state
// Pull ids name one pull of one track, so a late leave or close never ends a newer relay.
import { z } from "zod";
import { regionStateSchema } from "../../core/region-health.js";
import { regionSchema, trackIdSchema } from "../../core/region.js";
import { trackMediaSchema } from "../media/track-media.js";
import { pullAcceptSchema, pullRequestSchema } from "../relay/pull-policy.js";
import type { PullOutcome } from "../relay/relay-machine-types.js";
import { MAX_PATH_LENGTH } from "../relay/track-table.js";
import { parsePayload } from "../../core/validate.js";

/** Every inter-region endpoint; the one place their paths are written. */
export const RELAY_PATHS = {
  pull: "/relay/v1/pull",
  pullResult: "/relay/v1/pull-result",
  close: "/relay/v1/close",
  leave: "/relay/v1/leave",
  announce: "/relay/v1/announce",
  heartbeat: "/relay/v1/heartbeat",
} as const;
export type RelayPath = (typeof RELAY_PATHS)[keyof typeof RELAY_PATHS];

const pullIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a pull id (letters, digits, _ and -)");
const portSchema = z.number().int().min(1).max(65535);

export const relayPullBodySchema = pullRequestSchema.extend({
  pullId: pullIdSchema,
  /** The caller's relay-in port as it binds it; the server maps it through its own port map. */
  port: portSchema,
  /** The caller's advertised relay address (its --announce); its URL's host when absent. */
  address: z.union([z.ipv4(), z.ipv6()]).optional(),
});
export type RelayPullBody = z.infer<typeof relayPullBodySchema>;

export const relayPullReplySchema = pullAcceptSchema.extend({
  /** Present when served (pending false): what the relay-out sends. */
  media: trackMediaSchema.optional(),
});
export type RelayPullReply = z.infer<typeof relayPullReplySchema>;

export const relayPullResultSchema = z.object({
  track: trackIdSchema,
  pullId: pullIdSchema,
  /** On success: the server's chain, itself first, origin last. */
  chain: z.array(regionSchema).min(1).max(MAX_PATH_LENGTH + 1).optional(),
  media: trackMediaSchema.optional(),
  /** On failure: why (`no_source`, `relay_loop`...). */
  error: z.string().max(64).optional(),
});
export type RelayPullResult = z.infer<typeof relayPullResultSchema>;

export const relayReleaseSchema = z.object({ track: trackIdSchema, pullId: pullIdSchema });
export type RelayRelease = z.infer<typeof relayReleaseSchema>;

export const heartbeatBodySchema = z.object({ region: regionSchema, ts: z.number().int().nonnegative() });
export const heartbeatReplySchema = z.object({ region: regionSchema, ts: z.number().int().nonnegative(), state: regionStateSchema });
export type HeartbeatReply = z.infer<typeof heartbeatReplySchema>;

export const relayErrorSchema = z.object({ error: z.string().max(64), detail: z.string().max(2000).optional() });

/**
 * What an answer to `POST /relay/v1/pull` means for the puller: served (200 with media),
 * pending (202: attached, a pull-result follows) or refused (why: the error code).
 */
export function classifyPullReply(status: number, body: unknown): PullOutcome {
  const accepted = status === 200 || status === 202 ? parsePayload(relayPullReplySchema, body) : null;
  if (accepted === null) {
    const refusal = relayErrorSchema.safeParse(body);
    return { kind: "refused", why: refusal.success ? refusal.data.error : "refused" };
  }
  if (!accepted.ok) return { kind: "refused", why: "bad_reply" };
  const { chain, media, pending } = accepted.value;
  return pending || media === undefined ? { kind: "pending", chain } : { kind: "served", chain, media };
}
