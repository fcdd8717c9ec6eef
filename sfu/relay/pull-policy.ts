// The pull policy and loop guard: what a region does with an incoming
// `POST /relay/v1/pull {track, path}`. `path` lists the regions the copy will flow into,
// first requester first ([eu-central] when eu-central asks; [eu-central, eu-west] once
// eu-west forwards it on).
//
//   decidePull(request, ctx) → PullDecision
//     serve   we hold the track (origin or flowing copy): open a relay-out now; `chain`
//             goes back to the caller (its own upstream chain)
//     attach  our own relay of this track is still being set up: open the relay-out now,
//             packets follow once ours flow
//     pull    we do not hold it: start our own relay from `candidates` with `path`,
//             and attach the caller to it
//     refuse  `relay_loop` (409), `no_source`, `not_ready`, `path_too_long`
//
// Loop guard (default). Every region knows its `chain`: the regions its packets come
// through, upstream first, origin last (each serve returns it). A pull is refused when
// the caller's path holds this region or any region of our chain, since serving would
// close a cycle. A relay that is still being set up only accepts callers already on the
// path it is pulling with (the upstream has vetted those); others get `not_ready` and
// fall back to their next candidate. With `no-loop-guard` (legacy) none of this is checked
// and a pending copy is treated as held, which is how the incident's loop forms.
// Pure: no I/O, no timers.
import { z } from "zod";
import { regionSchema, trackIdSchema, type Region, type TrackId } from "../../core/region.js";
import { loopGuardOn, type LegacyBehaviours } from "./legacy-behaviours.js";
import { locate, type Candidate, type LocateOptions } from "./locator.js";
import { MAX_PATH_LENGTH, type TrackTable } from "./track-table.js";

/** What this region has of one track. */
export type LocalCopy =
  | { kind: "none" }
  | { kind: "origin" }
  /** A relay being set up: locating (upstream null) or waiting on `upstream`. */
  | { kind: "pending"; pullPath: readonly Region[]; upstream: Region | null }
  /** Packets flow; `chain` is where they come through, upstream first, origin last. */
  | { kind: "flowing"; chain: readonly Region[] };

/**
 * 5 s: a pull the upstream accepted as pending gets its media within a few RTTs of the
 * upstream's own relay; one still without media after 5 s is waiting on something that is
 * not coming (a loop, or an upstream that dropped the pull — e.g. a stale duplicate of it
 * overtook it). The puller then leaves that upstream and tries its next candidate. Part
 * of the loop guard: with `no-loop-guard` a pending pull waits forever, as in the incident.
 */
export const PENDING_PULL_TIMEOUT_MS = 5000;

export const PULL_REFUSALS = ["relay_loop", "no_source", "not_ready", "path_too_long", "stale_pull"] as const;
export type PullRefusal = (typeof PULL_REFUSALS)[number];

/** HTTP status for each refusal: 409 for the loop (DESIGN) and for a relay mid-setup. */
export const PULL_REFUSAL_STATUS: Readonly<Record<PullRefusal, number>> = {
  relay_loop: 409,
  no_source: 404,
  not_ready: 409,
  path_too_long: 400,
  stale_pull: 409,
};

/**
 * Pull ids order one region's pulls: a time-and-counter prefix (base 36, fixed width, so
 * later ids sort after earlier ones, across restarts too), then randomness. An upstream
 * that already holds a newer pull from the same region refuses an older one that arrives
 * late (`stale_pull`) instead of letting it replace the newer: the puller has given up on
 * it, and its release would otherwise drop the newer pull with it.
 */
export function newPullId(nowMs: number, counter: number, random: string): string {
  return `${Math.floor(nowMs).toString(36).padStart(9, "0")}${(counter % 36 ** 5).toString(36).padStart(5, "0")}-${random}`;
}

const ORDERED_PULL_ID = /^[0-9a-z]{14}-/;

/** Whether `incoming` was issued before `held` by the same region (both from newPullId). */
export function isStalePull(incoming: string, held: string): boolean {
  if (!ORDERED_PULL_ID.test(incoming) || !ORDERED_PULL_ID.test(held)) return false;
  return incoming.slice(0, 14) < held.slice(0, 14);
}

export const pullRequestSchema = z.object({
  track: trackIdSchema,
  path: z.array(regionSchema).min(1).max(MAX_PATH_LENGTH),
  /** W3C trace context of the caller's span (55 chars for version 00). */
  traceparent: z.string().max(128).optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

/** The body of a successful pull reply. */
export const pullAcceptSchema = z.object({
  /** The serving region's chain including itself: [server, its upstream, ..., origin]. */
  chain: z.array(regionSchema).min(1).max(MAX_PATH_LENGTH + 1),
  /** True when the server's own relay is still being set up (attach). */
  pending: z.boolean(),
});
export type PullAccept = z.infer<typeof pullAcceptSchema>;

export type PullDecision =
  | { action: "serve"; chain: readonly Region[] }
  | { action: "attach"; chain: readonly Region[] }
  | { action: "pull"; path: readonly Region[]; candidates: readonly Candidate[] }
  | { action: "refuse"; error: PullRefusal; detail: string };

export interface PullContext {
  self: Region;
  copy: LocalCopy;
  table: TrackTable;
  rtts: ReadonlyMap<Region, number>;
  now: number;
  behaviours: LegacyBehaviours;
  locate?: LocateOptions;
}

export function decidePull(req: { track: TrackId; path: readonly Region[] }, ctx: PullContext): PullDecision {
  const { self, copy } = ctx;
  const guard = loopGuardOn(ctx.behaviours);
  if (req.path.length >= MAX_PATH_LENGTH) {
    return refuse("path_too_long", `path has ${req.path.length} regions; at most ${MAX_PATH_LENGTH - 1} may be extended`);
  }
  if (guard && req.path.includes(self)) {
    return refuse("relay_loop", `${self} is already on the path ${req.path.join(">")}`);
  }
  switch (copy.kind) {
    case "origin":
      return { action: "serve", chain: [self] };
    case "flowing": {
      const clash = guard ? req.path.find((r) => copy.chain.includes(r)) : undefined;
      if (clash !== undefined) {
        return refuse("relay_loop", `${clash} is on the path and upstream of ${self} (${[self, ...copy.chain].join("<")})`);
      }
      return { action: "serve", chain: [self, ...copy.chain] };
    }
    case "pending": {
      const chain = [self, ...(copy.upstream === null ? [] : [copy.upstream])];
      if (!guard) return { action: "attach", chain };
      if (copy.upstream !== null && req.path.includes(copy.upstream)) {
        return refuse("relay_loop", `${self} is pulling ${req.track} from ${copy.upstream}, which is on the path`);
      }
      const unvetted = req.path.find((r) => !copy.pullPath.includes(r));
      if (unvetted !== undefined) {
        return refuse("not_ready", `${self} is still setting up ${req.track} for ${copy.pullPath.join(">")}`);
      }
      return { action: "attach", chain };
    }
    case "none": {
      const path = [...req.path, self];
      // The legacy locator did not look at the path; it only left itself out.
      const exclude = guard ? path : [self];
      const candidates = locate(req.track, self, ctx.table, ctx.rtts, exclude, ctx.now, ctx.locate);
      if (candidates.length === 0) return refuse("no_source", `no region other than ${path.join(", ")} announces ${req.track}`);
      return { action: "pull", path, candidates };
    }
  }
}

/**
 * Candidates for a relay this region starts for its own subscribers (path [self]).
 * Under the loop guard, regions on `pullPath` are never candidates.
 */
export function locateForRelay(
  track: TrackId,
  self: Region,
  pullPath: readonly Region[],
  ctx: Pick<PullContext, "table" | "rtts" | "now" | "behaviours" | "locate">,
): Candidate[] {
  const exclude = loopGuardOn(ctx.behaviours) ? pullPath : [self];
  return locate(track, self, ctx.table, ctx.rtts, exclude, ctx.now, ctx.locate);
}

/** The `Relay-Path` header value: origin first, this region last (`us-west>eu-west>eu-central`). */
export function formatRelayPath(self: Region, chain: readonly Region[]): string {
  return [...chain].reverse().concat(self).join(">");
}

function refuse(error: PullRefusal, detail: string): PullDecision {
  return { action: "refuse", error, detail };
}
