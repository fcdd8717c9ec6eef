// Seed data for the dashboards' query tests: an hour of probe windows with setup figures
// and multi-hop relay paths, relay edges, region health and alert episodes (a loop that
// resolved, a missing relay still firing, pair alerts), all stamped relative to the real
// clock so the tables' TTL never drops them.
import type { Alert } from "../../core/alert.js";
import { seededRandom } from "../../core/random.js";
import type { RegionHealth } from "../../core/region-health.js";
import type { RelayEdge } from "../../core/relay-edge.js";
import { alertRow, probeResultRow, regionHealthRow, relayEdgeRow } from "../../store/rows.js";
import type { Store } from "../../store/store.js";
import { makeAlert, makeProbeResults } from "./store-fixtures.js";

export interface SeededRange {
  fromMs: number;
  toMs: number;
  regions: readonly string[];
}

const MINUTE = 60_000;


export async function seedDashboardData(store: Store): Promise<SeededRange> {
  const toMs = Math.floor(Date.now() / MINUTE) * MINUTE;
  const fromMs = toMs - 60 * MINUTE;
  const rnd = seededRandom(42);
  const probes = makeProbeResults(20 * 3600, { start: fromMs, stepMs: 1000, seed: 9 }).map((r, i) => {
    // Every 30th window starts a subscription (rotation): it has ttfp and setup figures.
    const starts = Math.floor(i / 20) % 30 === 0;
    const hops = rnd() < 0.3 ? [r.src, "eu-west", r.dst] : [r.src, r.dst];
    return { ...r, ttfpMs: starts ? 20 + rnd() * 400 : null, setupMs: starts ? 10 + rnd() * 300 : null, relayPath: hops };
  });
  await store.insert("probe_results", probes.map(probeResultRow));

  const edges: RelayEdge[] = [];
  for (let i = 0; i < 40; i++) {
    const track = `room/cam-${i}`;
    const ts = fromMs + i * MINUTE;
    const path = i % 4 === 0 ? ["eu-central", "eu-west", "us-west"] : ["eu-central", "us-west"];
    edges.push({ ts, track, region: "eu-central", upstream: path[1] ?? null, origin: "us-west", state: "flowing", path, packets: 1000 + i, bytes: 900_000, kind: "change" });
    edges.push({ ts, track, region: "us-west", upstream: null, origin: "us-west", state: "flowing", path: ["us-west"], packets: 1000 + i, bytes: 900_000, kind: "snapshot" });
  }
  await store.insert("relay_edges", edges.map(relayEdgeRow));

  const health: RegionHealth[] = [];
  for (let t = fromMs; t < toMs; t += MINUTE) {
    for (const region of ["us-east", "eu-central"]) {
      health.push({ ts: t, region, state: "online", isolation: "guarded", reachablePeers: 4, totalPeers: 4, eventLoopLagMs: 2, reason: "peers reachable" });
    }
  }
  await store.insert("region_health", health.map(regionHealthRow));

  const rows: Alert[] = [];
  const episode = (a: Alert, resolvedAfterMs: number | null): void => {
    rows.push(a);
    if (resolvedAfterMs !== null) rows.push({ ...a, state: "resolved", endsAt: a.startsAt + resolvedAfterMs, updatedAt: a.startsAt + resolvedAfterMs });
  };
  const loopStart = fromMs + 10 * MINUTE;
  episode(makeAlert({ fingerprint: "loop-1", startsAt: loopStart, updatedAt: loopStart, evidence: { cycle: ["eu-central", "eu-west", "eu-central"], origin: "us-west", observedAt: loopStart - 1500 } }), 5 * MINUTE);
  const missingStart = fromMs + 40 * MINUTE;
  episode(
    makeAlert({
      fingerprint: "missing-1",
      name: "MissingRelay",
      severity: "warning",
      labels: { severity: "warning", track: "room/cam-3", region: "eu-central" },
      summary: "eu-central has subscribers of room/cam-3 but no upstream chain to us-west",
      startsAt: missingStart,
      updatedAt: missingStart,
      evidence: { chain: ["eu-central", "eu-west"], observedAt: missingStart - 2500 },
    }),
    null,
  );
  const pairStart = fromMs + 20 * MINUTE;
  episode(
    makeAlert({
      fingerprint: "pair-1",
      name: "ProbePairFailing",
      severity: "warning",
      labels: { severity: "warning", src: "us-west", dst: "eu-central" },
      summary: "us-west → eu-central fails (2 of 3 windows)",
      startsAt: pairStart,
      updatedAt: pairStart,
      evidence: { pairs: [{ src: "us-west", dst: "eu-central", track: "probe/us-west-1" }], observedAt: pairStart - 3000 },
    }),
    90_000,
  );
  await store.insert("alerts", rows.map(alertRow));
  return { fromMs, toMs, regions: ["us-east", "us-west", "eu-central", "eu-west", "ap-south"] };
}
