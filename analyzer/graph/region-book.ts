// What the analyzer knows about each region: whether it reaches the region's API, the
// region's own status (online/offline and why), its view of its peers, its isolation
// history, and — while it is offline — who still reached it (the FalseIsolation witnesses).
import type { Region } from "../../core/region.js";
import type { RegionHealth } from "../../core/region-health.js";
import type { LegacyBehaviour, PeerEntry, RegionStatus } from "../../core/sfu-state.js";

/** 50 entries: the API's history bound (core/analyzer-api.ts). */
export const HISTORY_LIMIT = 50;

export interface Witness {
  kind: "peer" | "probe";
  /** The peer region, or the probe pair `src>dst`. */
  from: string;
  /** When it last reached the region. */
  at: number | null;
}

export interface RegionRecord {
  region: Region;
  connected: boolean;
  /** Analyzer time the connection was lost (null while connected or never connected). */
  disconnectedSince: number | null;
  disconnectReason: string;
  lastEventAt: number | null;
  instance: string | null;
  status: RegionStatus | null;
  behaviours: LegacyBehaviour[];
  peers: Map<Region, PeerEntry>;
  history: { at: number; state: string; reason: string }[];
  /** Witnesses gathered during the current offline period (empty while online). */
  witnesses: Map<string, Witness>;
}

/**
 * The region's health row as of `now` — what the engine reports on change and the store
 * snapshots periodically, built here once; null until the region has reported a status.
 * While the analyzer cannot reach the region, the reason says so rather than repeating the
 * region's last word.
 */
export function regionHealth(r: RegionRecord, now: number): RegionHealth | null {
  if (r.status === null) return null;
  let reachable = 0;
  for (const p of r.peers.values()) if (p.reachable) reachable++;
  return {
    ts: now,
    region: r.region,
    state: r.status.state,
    isolation: r.status.isolation,
    reachablePeers: reachable,
    totalPeers: r.peers.size,
    eventLoopLagMs: r.status.eventLoopLagMs,
    reason: (r.connected ? r.status.reason : `analyzer cannot reach the region: ${r.disconnectReason}`).slice(0, 1000),
  };
}

export class RegionBook {
  private readonly records = new Map<Region, RegionRecord>();

  get(region: Region): RegionRecord {
    let r = this.records.get(region);
    if (r === undefined) {
      r = { region, connected: false, disconnectedSince: null, disconnectReason: "", lastEventAt: null, instance: null, status: null, behaviours: [], peers: new Map(), history: [], witnesses: new Map() };
      this.records.set(region, r);
    }
    return r;
  }

  has(region: Region): boolean {
    return this.records.has(region);
  }

  all(): IterableIterator<RegionRecord> {
    return this.records.values();
  }

  /** Sets a region's status; returns true when its online/offline state changed. */
  setStatus(region: Region, status: RegionStatus, now: number): boolean {
    const r = this.get(region);
    const changed = r.status?.state !== status.state;
    r.status = status;
    if (changed) {
      r.history.push({ at: status.since || now, state: status.state, reason: status.reason });
      if (r.history.length > HISTORY_LIMIT) r.history.shift();
      if (status.state === "online") r.witnesses.clear();
    }
    return changed;
  }

  setConnected(region: Region, connected: boolean, now: number, reason = ""): boolean {
    const r = this.get(region);
    // A region never reached starts disconnected without a since: the first "not reached"
    // report starts its clock (else a region dead from the start never counted as unreachable).
    if (r.connected === connected && (connected || r.disconnectedSince !== null)) return false;
    r.connected = connected;
    r.disconnectedSince = connected ? null : now;
    r.disconnectReason = connected ? "" : reason;
    r.history.push({ at: now, state: connected ? "reachable" : "unreachable", reason });
    if (r.history.length > HISTORY_LIMIT) r.history.shift();
    return true;
  }

  /** Other regions' views of `region` (their peer entries about it). */
  peerViewsOf(region: Region): { from: Region; entry: PeerEntry }[] {
    const out: { from: Region; entry: PeerEntry }[] = [];
    for (const r of this.records.values()) {
      if (r.region === region) continue;
      const e = r.peers.get(region);
      if (e !== undefined) out.push({ from: r.region, entry: e });
    }
    return out;
  }
}
