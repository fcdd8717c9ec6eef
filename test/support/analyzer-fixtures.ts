// Hand-built inputs for analyzer tests and benches: track entries, snapshots, events and
// probe windows with sensible defaults, so a test states only what matters to it.
import type { ProbeResult, ProbeStatus } from "../../core/probe-result.js";
import type { Region, TrackId } from "../../core/region.js";
import type { PeerEntry, RegionSnapshot, RegionStatus, SfuEvent, TrackEntry } from "../../core/sfu-state.js";

export function trackEntry(track: TrackId, over: Partial<TrackEntry> = {}): TrackEntry {
  const upstream = over.upstream ?? null;
  return {
    track,
    origin: null,
    local: false,
    upstream,
    state: upstream === null && over.local === true ? "flowing" : "pulling",
    path: [],
    packets: 0,
    bytes: 0,
    subscribers: 0,
    downstream: [],
    announced: false,
    firstPacketAt: null,
    updatedAt: 0,
    ...over,
  };
}

export function onlineStatus(over: Partial<RegionStatus> = {}): RegionStatus {
  return { state: "online", isolation: "guarded", reason: "", since: 0, eventLoopLagMs: 1, ...over };
}

export function snapshot(region: Region, over: Partial<RegionSnapshot> = {}): RegionSnapshot {
  return { region, seq: 0, ts: 0, instance: `${region}-1`, engine: "scripted", status: onlineStatus(), behaviours: [], peers: [], tracks: [], ...over };
}

let seqs = new Map<Region, number>();

/** Resets the per-region sequence counter trackEvent()/statusEvent() use. */
export function resetSeqs(): void {
  seqs = new Map();
}

function nextSeq(region: Region): number {
  const n = (seqs.get(region) ?? 0) + 1;
  seqs.set(region, n);
  return n;
}

export function trackEvent(region: Region, track: TrackId, over: Partial<TrackEntry> = {}, ts = 0): SfuEvent {
  return { type: "track", seq: nextSeq(region), ts, region, entry: trackEntry(track, { updatedAt: ts, ...over }) };
}

export function statusEvent(region: Region, status: Partial<RegionStatus>, ts = 0): SfuEvent {
  return { type: "status", seq: nextSeq(region), ts, region, status: onlineStatus(status) };
}

export function peerEvent(region: Region, peer: Partial<PeerEntry> & { region: Region }, ts = 0): SfuEvent {
  return { type: "peer", seq: nextSeq(region), ts, region, peer: { reachable: true, rttMs: 10, lastSeenAt: ts, ...peer } };
}

export function probe(src: Region, dst: Region, status: ProbeStatus, ts: number, over: Partial<ProbeResult> = {}): ProbeResult {
  const ok = status === "ok" || status === "degraded";
  return {
    ts,
    windowMs: 1000,
    src,
    dst,
    track: `probe/${src}-1`,
    status,
    reason: ok ? "" : `${status} in window`,
    sent: 50,
    received: ok ? 50 : 0,
    lost: ok ? 0 : 50,
    duplicates: 0,
    reordered: 0,
    jitterMs: 1,
    latencyP50Ms: ok ? 40 : null,
    latencyP95Ms: ok ? 45 : null,
    ttfpMs: null,
    setupMs: null,
    relayPath: [src, dst],
    ...over,
  };
}

/** Every ordered pair of `regions`. */
export function allPairs(regions: readonly Region[]): [Region, Region][] {
  const out: [Region, Region][] = [];
  for (const s of regions) for (const d of regions) if (s !== d) out.push([s, d]);
  return out;
}
