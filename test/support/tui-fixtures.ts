// Fixed analyzer payloads for the TUI's tests, bench and README captures: the lab's five
// regions in the middle of the 2024-02-07 incident (us-east falsely isolated, a relay loop
// eu-central ⇄ eu-west for a us-west track), and a 20-region mesh for the size checks.
import type { Alert } from "../../core/alert.js";
import type { Overview, PairCell, RegionView, TrackGraph, TracksList } from "../../core/analyzer-api.js";
import type { ProbeStatus } from "../../core/probe-result.js";
import { DEFAULT_REGIONS } from "../../core/region.js";
import { emptyState, type DashboardSource, type DashboardState, type ReplayControls } from "../../tui/source/dashboard-state.js";
import { StateBox } from "../../tui/source/state-box.js";

export const LOOP_TRACK = "probe/us-west-12";

/** One-way latency between the lab's regions, roughly real-world. */
function latencyBetween(a: string, b: string): number {
  const cont = (r: string): string => r.slice(0, 2);
  if (cont(a) === cont(b)) return 9 + ((a.length + b.length) % 7);
  if (cont(a) === "ap" || cont(b) === "ap") return 110 + ((a.length * b.length) % 40);
  return 70 + ((a.length * 3 + b.length) % 20);
}

function cell(src: string, dst: string, now: number, status: ProbeStatus = "ok", reason = ""): PairCell {
  const failing = status !== "ok" && status !== "degraded";
  return {
    src,
    dst,
    status,
    reason,
    latencyP50Ms: failing ? null : latencyBetween(src, dst),
    lossRatio: status === "degraded" ? 0.034 : failing ? 1 : 0,
    jitterMs: 1.4,
    relayPath: src === "us-west" && dst === "eu-central" ? ["us-west", "eu-west", "eu-central"] : [src, dst],
    recent: failing ? ["ok", "ok", "ok", "ok", "ok", "ok", "degraded", status, status, status] : Array<ProbeStatus>(10).fill(status),
    updatedAt: now - 400,
  };
}

function region(name: string, now: number, patch: Partial<RegionView> = {}): RegionView {
  return {
    region: name,
    connected: true,
    lastEventAt: now - 300,
    status: { state: "online", isolation: "guarded", reason: "all peers reachable", since: now - 3_600_000, eventLoopLagMs: 2 },
    behaviours: [],
    peers: DEFAULT_REGIONS.filter((r) => r !== name).map((r) => ({ region: r, reachable: true, rttMs: 2 * latencyBetween(name, r), lastSeenAt: now - 500 })),
    history: [],
    tracks: 4,
    ...patch,
  };
}

/** The five lab regions: us-east offline (naive isolation), the EU pair looping. */
export function incidentOverview(now: number): Overview {
  const usEastDown = now - 25 * 60_000;
  const regions: RegionView[] = DEFAULT_REGIONS.map((r) => {
    if (r === "us-east")
      return region(r, now, {
        status: { state: "offline", isolation: "naive", reason: "no peer answered heartbeat round 4120 (naive: first silent round)", since: usEastDown, eventLoopLagMs: 3 },
        behaviours: ["isolation=naive"],
        history: [
          { at: usEastDown - 3_600_000, state: "online", reason: "started" },
          { at: usEastDown, state: "offline", reason: "no peer answered heartbeat round 4120" },
        ],
      });
    if (r === "eu-central" || r === "eu-west") return region(r, now, { behaviours: ["announce-early", "no-loop-guard"] });
    return region(r, now);
  });
  const pairs: PairCell[] = [];
  for (const s of DEFAULT_REGIONS) {
    for (const d of DEFAULT_REGIONS) {
      if (s === d) continue;
      if (s === "us-east" || d === "us-east") pairs.push(cell(s, d, now, "region_offline", "us-east is offline (isolation)"));
      else if (s === "us-west" && d === "eu-central") pairs.push(cell(s, d, now, "no_media", "subscribed, 0 packets in 3 s; relay path loops"));
      else if (s === "us-west" && d === "eu-west") pairs.push(cell(s, d, now, "no_media", "subscribed, 0 packets in 3 s"));
      else if (s === "ap-south" && d === "eu-west") pairs.push(cell(s, d, now, "degraded", "loss 3.4%"));
      else pairs.push(cell(s, d, now));
    }
  }
  return { ts: now - 400, regions, pairs, firingAlerts: 2 };
}

export function relayLoopAlert(now: number): Alert {
  return {
    fingerprint: "rl-eu-central-eu-west",
    name: "RelayLoop",
    state: "firing",
    severity: "critical",
    labels: { severity: "critical", track: LOOP_TRACK, regions: "eu-central,eu-west" },
    summary: `relay loop for ${LOOP_TRACK}: eu-central → eu-west → eu-central; nothing reaches either region`,
    evidence: { cycle: ["eu-central", "eu-west", "eu-central"], origin: "us-west", subscribers: 3 },
    startsAt: now - 42_000,
    endsAt: null,
    updatedAt: now - 1_000,
  };
}

export function incidentAlerts(now: number): Alert[] {
  return [
    {
      fingerprint: "fi-us-east",
      name: "FalseIsolation",
      state: "firing",
      severity: "warning",
      labels: { severity: "warning", region: "us-east" },
      summary: "us-east took itself offline while 4 of 4 probes still reached it",
      evidence: { reachedBy: ["us-west", "eu-central", "eu-west", "ap-south"], offlineSince: now - 25 * 60_000 },
      startsAt: now - 25 * 60_000 + 2_000,
      endsAt: null,
      updatedAt: now - 1_000,
    },
    relayLoopAlert(now),
    {
      fingerprint: "ppf-ap-eu",
      name: "ProbePairFailing",
      state: "resolved",
      severity: "warning",
      labels: { severity: "warning", src: "ap-south", dst: "eu-west" },
      summary: "ap-south → eu-west failed 2 of 3 windows (link)",
      evidence: { localisation: "link", pairs: ["ap-south>eu-west"] },
      startsAt: now - 600_000,
      endsAt: now - 480_000,
      updatedAt: now - 480_000,
    },
  ];
}

export function loopGraph(now: number): TrackGraph {
  return {
    ts: now - 400,
    track: LOOP_TRACK,
    origin: "us-west",
    nodes: [
      { region: "us-west", upstream: null, state: "flowing", packetsPerSec: 50, subscribers: 0, local: true },
      { region: "ap-south", upstream: "us-west", state: "flowing", packetsPerSec: 50, subscribers: 1, local: false },
      { region: "eu-central", upstream: "eu-west", state: "pulling", packetsPerSec: 0, subscribers: 2, local: false },
      { region: "eu-west", upstream: "eu-central", state: "pulling", packetsPerSec: 0, subscribers: 1, local: false },
    ],
    cycle: ["eu-central", "eu-west", "eu-central"],
  };
}

export function incidentTracks(now: number): TracksList {
  return {
    ts: now,
    tracks: [
      { track: "probe/ap-south-7", origin: "ap-south", regions: 4, cycle: false },
      { track: LOOP_TRACK, origin: "us-west", regions: 4, cycle: true },
      { track: "room1/cam", origin: "eu-west", regions: 2, cycle: false },
    ],
  };
}

/** Twenty regions in three spellings (`us-east`, `us-east-2`, `ap-northeast-1`). */
export const TWENTY_REGIONS: readonly string[] = [
  "us-east", "us-east-2", "us-west", "us-west-2", "ca-central", "sa-east", "eu-central", "eu-west", "eu-north", "eu-south",
  "me-central", "af-south", "ap-south", "ap-east", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "il-central", "mx-central",
];

/** A 20-region mesh; `seed` varies the figures so successive updates differ (bench). */
export function twentyRegionOverview(now: number, seed = 0): Overview {
  const regions = TWENTY_REGIONS.map((r) => ({ ...region(r, now), peers: TWENTY_REGIONS.filter((p) => p !== r).map((p) => ({ region: p, reachable: true, rttMs: 40, lastSeenAt: now })) }));
  const pairs: PairCell[] = [];
  TWENTY_REGIONS.forEach((s, i) => {
    TWENTY_REGIONS.forEach((d, j) => {
      if (s === d) return;
      const k = (i * 31 + j * 17 + seed) % 53;
      const status: ProbeStatus = k === 0 ? "no_media" : k === 1 ? "timeout" : k < 5 ? "degraded" : "ok";
      pairs.push({ ...cell(s, d, now, status, status === "ok" ? "" : `${status} in window`), latencyP50Ms: status === "ok" || status === "degraded" ? 8 + ((k * 7 + seed) % 190) : null });
    });
  });
  return { ts: now - 200, regions, pairs, firingAlerts: 0 };
}

/**
 * A DashboardSource holding whatever state the test sets: for component tests, the bench
 * and captures (not a stand-in for the analyzer — LiveSource is tested against HTTP).
 */
export class FixedSource implements DashboardSource {
  readonly replay: ReplayControls | null;
  readonly selected: (string | null)[] = [];
  private readonly box: StateBox;

  constructor(state: Partial<DashboardState>, replay: ReplayControls | null = null) {
    this.box = new StateBox({ ...emptyState("live", { kind: "live", since: 0 }, "http://analyzer.test"), ...state });
    this.replay = replay;
  }

  getState(): DashboardState {
    return this.box.get();
  }

  subscribe(listener: () => void): () => void {
    return this.box.subscribe(listener);
  }

  set(patch: Partial<DashboardState>): void {
    this.box.update(patch);
  }

  selectTrack(track: string | null): void {
    this.selected.push(track);
    this.box.update({ selectedTrack: track });
  }

  start(): void {
    // Nothing to start: the state is whatever the test set.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The incident state as the live source would hold it at `now`. */
export function incidentState(now: number): Partial<DashboardState> {
  return {
    connection: { kind: "live", since: now - 60_000 },
    overview: incidentOverview(now),
    alerts: incidentAlerts(now),
    tracks: incidentTracks(now).tracks,
    graph: loopGraph(now),
    receivedAt: now - 400,
  };
}
