// The region node's /v1/state and metrics views of the relay machine's per-track state
// (sfu/relay/relay-machine-types.ts): the TrackEntry watchers see, the key of the fields
// worth an event, and the relay rows of the metrics sample. Pure.
import type { Region } from "../../core/region.js";
import type { RelayState } from "../../core/relay-edge.js";
import type { TrackEntry } from "../../core/sfu-state.js";
import type { TrackState } from "../relay/relay-machine-types.js";
import { localTrack, relayOf, relayState, relayView } from "../relay/relay-views.js";

export type { TrackState };
export { localTrack, relayState };

export interface EntryCounters {
  packets: number;
  bytes: number;
}

/** The /v1/state entry for a track (core/sfu-state.ts TrackEntry). */
export function trackEntry(self: Region, t: TrackState, counters: EntryCounters, announced: boolean): TrackEntry {
  const r = relayOf(t);
  const v = r === null ? null : relayView(r);
  const publisher = t.source.kind === "publisher";
  return {
    track: t.track,
    origin: publisher ? self : (v?.chain.at(-1) ?? null),
    local: publisher,
    // A pull still in flight shows no upstream (as in the simulator): only an accepted one is an edge.
    upstream: v?.upstream ?? null,
    state: relayState(t),
    path: entryPath(self, t).slice(0, 32),
    packets: counters.packets,
    bytes: counters.bytes,
    subscribers: t.subscribers.size,
    downstream: [...t.served.keys()].sort(),
    announced,
    firstPacketAt: t.firstPacketAt,
    updatedAt: t.updatedAt,
  };
}

/** This region first, then where packets come through: [eu-central, eu-west, us-west]. */
function entryPath(self: Region, t: TrackState): Region[] {
  if (t.source.kind === "publisher") return [self];
  const r = relayOf(t);
  if (r === null) return [];
  const v = relayView(r);
  if (v.chain.length > 0) return [self, ...v.chain];
  return v.upstream !== null ? [self, v.upstream] : [self];
}

/** The fields of an entry whose change is worth an event (counters and times are not). */
export function entryKey(e: TrackEntry): string {
  return JSON.stringify([e.origin, e.local, e.upstream, e.state, e.path, e.subscribers, e.downstream, e.announced, e.firstPacketAt !== null]);
}

export interface RelayRow {
  state: RelayState;
  direction: "in" | "out";
  peer: Region;
}

/** The track's relays for relaywatch_sfu_relays: ours in (from its upstream), and one out per downstream. */
export function relayRows(t: TrackState): RelayRow[] {
  const rows: RelayRow[] = [];
  const r = relayOf(t);
  if (r !== null) rows.push({ state: relayState(t), direction: "in", peer: relayView(r).upstream ?? (r.phase.kind === "locating" ? "none" : r.phase.upstream) });
  for (const d of t.served.keys()) rows.push({ state: "flowing", direction: "out", peer: d });
  for (const d of t.attached.keys()) rows.push({ state: "pulling", direction: "out", peer: d });
  return rows;
}
