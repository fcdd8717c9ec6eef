// The announce policy: what this region tells its peers it holds, and when it may start
// locating a track it has demand for.
//
//   announcedEntries(tracks, behaviours) → TrackEntry[]     what to put in the snapshot
//   earlyAnnounced(previous, demanded, behaviours) → Set     announce-early's sticky set
//   locateDelayMs(behaviours, settleMs?) → number             wait between demand and locate
//   announcementDue(last, entries, now) → boolean            send now (change or anti-entropy)
//
// Default: the origin announces its tracks; a relayed copy is announced only once packets
// flow, and retracted (left out of the next snapshot) when the relay ends, so a region
// never advertises what it cannot serve.
//
// Legacy `announce-early` (the incident): a copy is announced as soon as the region has
// demand for it, before it has located or received it, and never retracted. The region
// then waits LEGACY_ANNOUNCE_SETTLE_MS before locating, so that the early announcements of
// its peers are in its table when it chooses an upstream. This is what makes the loop
// deterministic rather than a race: two nearby regions (eu-central, eu-west) whose demand
// for a far track (us-west) starts within `settleMs − announce delivery time` of each
// other each see the other's early copy as the cheapest candidate, each pull from the
// other, and — with `no-loop-guard` — each attach the other's pull to its own pending
// relay: upstream(eu-central) = eu-west and upstream(eu-west) = eu-central, whatever
// order the announcements and pulls arrive in. Pure: no I/O, no timers.
import type { TrackId } from "../../core/region.js";
import type { LegacyBehaviours } from "./legacy-behaviours.js";
import type { LocalCopy } from "./pull-policy.js";
import { ANTI_ENTROPY_INTERVAL_MS, type TrackEntry } from "./track-table.js";

/**
 * 2 s: probe agents subscribe to a fresh probe track once per probe window (1 s default),
 * so two regions' demand for the same new track starts up to ~1 s apart; 2 s covers that
 * plus announce delivery over the slowest lab link (≤ 150 ms one way). Legacy only: the
 * default policy locates at once.
 */
export const LEGACY_ANNOUNCE_SETTLE_MS = 2_000;

/** One track as the announce policy sees it. */
export interface LocalTrack {
  track: TrackId;
  copy: LocalCopy;
  /** The region has subscribers or downstream pulls for the track right now. */
  demanded: boolean;
}

/** The entry to announce for one track under these behaviours, or null to stay silent. */
export function announcedEntry(
  t: LocalTrack,
  behaviours: LegacyBehaviours,
  early: ReadonlySet<TrackId> = new Set(),
): TrackEntry | null {
  const { copy } = t;
  if (copy.kind === "origin") return { track: t.track, origin: true, pathLength: 0 };
  if (copy.kind === "flowing") {
    const entry: TrackEntry = { track: t.track, origin: false, pathLength: copy.chain.length };
    const upstream = copy.chain[0];
    if (upstream !== undefined) entry.upstream = upstream;
    return entry;
  }
  if (behaviours.has("announce-early") && (t.demanded || early.has(t.track))) {
    const entry: TrackEntry = { track: t.track, origin: false };
    if (copy.kind === "pending" && copy.upstream !== null) entry.upstream = copy.upstream;
    return entry;
  }
  return null;
}

/** Every entry to announce, sorted by track so equal holdings give equal snapshots. */
export function announcedEntries(
  tracks: Iterable<LocalTrack>,
  behaviours: LegacyBehaviours,
  early: ReadonlySet<TrackId> = new Set(),
): TrackEntry[] {
  const out: TrackEntry[] = [];
  const seen = new Set<TrackId>();
  for (const t of tracks) {
    seen.add(t.track);
    const e = announcedEntry(t, behaviours, early);
    if (e !== null) out.push(e);
  }
  // announce-early never retracts: tracks demanded once stay announced after the relay is gone.
  if (behaviours.has("announce-early")) {
    for (const track of early) if (!seen.has(track)) out.push({ track, origin: false });
  }
  return out.sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : 0));
}

/**
 * announce-early's memory: every track demanded since the behaviour was switched on.
 * Switching the behaviour off clears it, and the region announces truthfully again.
 */
export function earlyAnnounced(
  previous: ReadonlySet<TrackId>,
  demanded: Iterable<TrackId>,
  behaviours: LegacyBehaviours,
): ReadonlySet<TrackId> {
  if (!behaviours.has("announce-early")) return previous.size === 0 ? previous : new Set();
  const out = new Set(previous);
  for (const t of demanded) out.add(t);
  return out.size === previous.size ? previous : out;
}

/** How long after demand starts the region may locate (0 by default). */
export function locateDelayMs(behaviours: LegacyBehaviours, settleMs: number = LEGACY_ANNOUNCE_SETTLE_MS): number {
  return behaviours.has("announce-early") ? settleMs : 0;
}

/** A stable key of a snapshot's entries, to tell whether holdings changed. */
export function entriesKey(entries: readonly TrackEntry[]): string {
  return entries.map((e) => `${e.track}|${e.origin ? "o" : "c"}|${e.upstream ?? ""}|${e.pathLength ?? ""}`).join(";");
}

export interface LastAnnouncement {
  key: string;
  sentAt: number;
}

/** Announce on change at once, and otherwise every anti-entropy interval. */
export function announcementDue(
  last: LastAnnouncement | null,
  entries: readonly TrackEntry[],
  now: number,
  intervalMs: number = ANTI_ENTROPY_INTERVAL_MS,
): boolean {
  if (last === null) return true;
  return entriesKey(entries) !== last.key || now - last.sentAt >= intervalMs;
}
