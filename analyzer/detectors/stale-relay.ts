// StaleRelay: a relayed copy that nobody needs any more — no local subscribers and no
// region pulling from it — still held past the linger period. It costs a WAN pipe and
// usually means the demand-driven teardown is broken.
import type { TrackId } from "../../core/region.js";
import type { RelayNode, TrackRelays } from "../graph/relay-graph.js";
import type { Finding } from "./finding.js";

export function isStaleCandidate(n: RelayNode): boolean {
  if (n.local || (n.state !== "pulling" && n.state !== "flowing")) return false;
  return n.subscribers === 0 && n.downCount === 0 && n.downstream.length === 0;
}

/** `lingerMs` comes from config (thresholds.staleRelayAfter): the SFU's linger plus margin. */
export function staleRelayFindings(t: TrackRelays, track: TrackId, lingerMs: number, observedAt: number): Finding[] {
  const out: Finding[] = [];
  for (const n of t.nodes.values()) {
    if (!isStaleCandidate(n)) continue;
    out.push({
      name: "StaleRelay",
      severity: "info",
      labels: { track, region: n.region },
      summary: `${n.region} still relays ${track} from ${n.upstream ?? "?"} with no subscribers and no downstream for longer than ${Math.round(lingerMs / 1000)} s`,
      evidence: { track, region: n.region, upstream: n.upstream, state: n.state, packets: n.packets, lingerMs },
      forMs: lingerMs,
      observedAt,
    });
  }
  return out;
}
