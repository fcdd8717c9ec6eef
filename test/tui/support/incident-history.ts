// Seeds a store with two minutes of the 2024-02-07 incident, replayed in the lab's five
// regions: all pairs healthy; at +30 s us-east isolates itself (naive policy) while its
// peers still reach it; at +60 s eu-central and eu-west start pulling probe/us-west-12
// from each other (a relay loop) and the us-west → EU pairs lose media; at +62 s the
// RelayLoop alert fires.
import type { Alert } from "../../../core/alert.js";
import type { ProbeResult } from "../../../core/probe-result.js";
import { DEFAULT_REGIONS } from "../../../core/region.js";
import type { RelayEdge } from "../../../core/relay-edge.js";
import { alertRow, probeResultRow, regionHealthRow, relayEdgeRow } from "../../../store/rows.js";
import type { Store } from "../../../store/store.js";

export const HISTORY_SECONDS = 120;
export const ISOLATION_AT_S = 30;
export const LOOP_AT_S = 60;
export const LOOP_ALERT_AT_S = 62;
export const REPLAY_TRACK = "probe/us-west-12";

export async function seedIncidentHistory(store: Store, t0: number): Promise<void> {
  const probes: ProbeResult[] = [];
  const edges: RelayEdge[] = [];
  const health = [];
  for (let s = 1; s <= HISTORY_SECONDS; s++) {
    const ts = t0 + s * 1000;
    for (const src of DEFAULT_REGIONS) {
      for (const dst of DEFAULT_REGIONS) {
        if (src === dst) continue;
        const dead = s > LOOP_AT_S && src === "us-west" && (dst === "eu-central" || dst === "eu-west");
        probes.push({
          ts, windowMs: 1000, src, dst, track: `probe/${src}-12`, status: dead ? "no_media" : "ok",
          reason: dead ? "subscribed, 0 packets in window" : "", sent: 50, received: dead ? 0 : 50, lost: dead ? 50 : 0,
          duplicates: 0, reordered: 0, jitterMs: 1, latencyP50Ms: dead ? null : 40 + src.length + dst.length, latencyP95Ms: dead ? null : 60,
          ttfpMs: null, setupMs: null, relayPath: dst === "eu-central" && src === "us-west" && dead ? ["us-west", "eu-west", "eu-central"] : [src, dst],
        });
      }
    }
    if (s % 5 === 0) {
      const looping = s > LOOP_AT_S;
      const base = { track: REPLAY_TRACK, origin: "us-west", bytes: 0, kind: "snapshot" as const };
      edges.push({ ...base, ts, region: "us-west", upstream: null, state: "flowing", path: ["us-west"], packets: s * 50 });
      edges.push({ ...base, ts, region: "ap-south", upstream: "us-west", state: "flowing", path: ["ap-south", "us-west"], packets: s * 50 });
      edges.push({ ...base, ts, region: "eu-central", upstream: looping ? "eu-west" : "us-west", state: looping ? "pulling" : "flowing", path: looping ? ["eu-central", "eu-west"] : ["eu-central", "us-west"], packets: Math.min(s, LOOP_AT_S) * 50 });
      if (looping) edges.push({ ...base, ts, region: "eu-west", upstream: "eu-central", state: "pulling", path: ["eu-west", "eu-central"], packets: 0 });
    }
    if (s % 10 === 0 || s === ISOLATION_AT_S) {
      for (const region of DEFAULT_REGIONS) {
        const off = region === "us-east" && s >= ISOLATION_AT_S;
        health.push({ ts, region, state: off ? ("offline" as const) : ("online" as const), isolation: region === "us-east" ? ("naive" as const) : ("guarded" as const), reachablePeers: 4, totalPeers: 4, eventLoopLagMs: 2, reason: off ? "no peer answered heartbeat round (naive)" : "all peers reachable" });
      }
    }
  }
  const alerts: Alert[] = [
    {
      fingerprint: "fi-us-east", name: "FalseIsolation", state: "firing", severity: "warning", labels: { severity: "warning", region: "us-east" },
      summary: "us-east took itself offline while probes still reached it", evidence: { reachedBy: ["us-west", "eu-central"] },
      startsAt: t0 + (ISOLATION_AT_S + 2) * 1000, endsAt: null, updatedAt: t0 + (ISOLATION_AT_S + 2) * 1000,
    },
    {
      fingerprint: "rl-eu", name: "RelayLoop", state: "firing", severity: "critical", labels: { severity: "critical", track: REPLAY_TRACK, regions: "eu-central,eu-west" },
      summary: "relay loop eu-central → eu-west → eu-central", evidence: { cycle: ["eu-central", "eu-west", "eu-central"] },
      startsAt: t0 + LOOP_ALERT_AT_S * 1000, endsAt: null, updatedAt: t0 + LOOP_ALERT_AT_S * 1000,
    },
  ];
  await store.insert("probe_results", probes.map(probeResultRow));
  await store.insert("relay_edges", edges.map(relayEdgeRow));
  await store.insert("region_health", health.map(regionHealthRow));
  await store.insert("alerts", alerts.map(alertRow));
}
