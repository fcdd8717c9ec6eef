// The analyzer's synchronous core: folds region snapshots/events, connection changes and
// probe results into the relay graph, region book and probe matrix, runs the detectors
// for exactly what changed, and feeds the alert book through the paging policy
// (alerts/paging.ts: symptoms warn at once, page past the horizon; warm-up.ts: subjects
// still `starting` do not alert). No I/O, no timers: `now` comes in, observations go out
// through the injected observer. The Analyzer (analyzer.ts) wires it
// to the network; tests and the bench drive it directly.
import type { Alert } from "../core/alert.js";
import { viaOf, type ProbeResult } from "../core/probe-result.js";
import type { Region, TrackId } from "../core/region.js";
import type { RegionHealth } from "../core/region-health.js";
import type { RelayEdge } from "../core/relay-edge.js";
import type { RegionSnapshot, SfuEvent } from "../core/sfu-state.js";
import { AlertBook, type AlertTransition } from "./alerts/alert-book.js";
import { applyPagingPolicy, PAGING_HORIZON_MS } from "./alerts/paging.js";
import type { Finding } from "./detectors/finding.js";
import { missingRelayFindings } from "./detectors/missing-relay.js";
import { latencyFinding, localiseFailures, pairFailingFindings } from "./detectors/probe-pairs.js";
import { pairKey, ProbeMatrix, type KOfN, type PairState } from "./detectors/probe-matrix.js";
import { addWitness, isolationFindings, isWitnessTime, unreachableFindings, WITNESS_WINDOW_MS } from "./detectors/region-health.js";
import { relayLoopFindings, RelayLoopDetector, type BrokenPair, type LoopedTrack } from "./detectors/relay-loop.js";
import { staleRelayFindings } from "./detectors/stale-relay.js";
import { TurnBook, turnFindings, type DirectMedia } from "./detectors/turn.js";
import { copyNotBefore, WARM_UP_GRACE_MS, WarmUp } from "./detectors/warm-up.js";
import { RegionBook, regionHealth, type RegionRecord } from "./graph/region-book.js";
import { RelayGraph, trackOrigin, type NodeChange } from "./graph/relay-graph.js";

export interface EngineThresholds {
  probe: KOfN;
  relayLatencyMs: number;
  staleRelayAfterMs: number;
  /** Warm-up grace for subjects never healthy since they appeared (default WARM_UP_GRACE_MS). */
  gracePeriodMs?: number;
  /** How long a symptom must persist before it pages (default PAGING_HORIZON_MS). */
  pagingHorizonMs?: number;
}

export interface EngineObserver {
  transition?(t: AlertTransition): void;
  /** A structural change of one copy (upstream, state, subscribers, added, removed). */
  edge?(e: RelayEdge): void;
  health?(h: RegionHealth): void;
  /** A track's relay graph changed (the API streams these for watched tracks). */
  track?(track: TrackId): void;
  /** Detector run time for one input, in seconds. */
  detectorSeconds?(kind: "event" | "probes" | "tick", seconds: number): void;
  /** A listener threw: reported, never allowed to corrupt the core. */
  observerError?(err: unknown): void;
}

export class AnalyzerEngine {
  readonly graph = new RelayGraph();
  readonly regions = new RegionBook();
  readonly loops = new RelayLoopDetector();
  readonly matrix: ProbeMatrix;
  readonly book = new AlertBook();
  readonly turn: TurnBook;
  readonly warmUp: WarmUp;
  private readonly thresholds: EngineThresholds;
  private readonly horizonMs: number;
  /** When the next failing-but-starting pair's grace ends (the sweep re-localises then). */
  private pairGraceDue: number | null = null;
  /** Whether the set of cycles changed since the cycle alerts were last synced. */
  private loopsChanged = false;
  private readonly observer: EngineObserver;
  private readonly timing: boolean;

  constructor(thresholds: EngineThresholds, observer: EngineObserver = {}) {
    this.thresholds = thresholds;
    this.observer = observer;
    this.matrix = new ProbeMatrix(thresholds.probe, thresholds.relayLatencyMs);
    this.turn = new TurnBook(thresholds.probe);
    this.warmUp = new WarmUp(thresholds.gracePeriodMs ?? WARM_UP_GRACE_MS);
    this.horizonMs = thresholds.pagingHorizonMs ?? PAGING_HORIZON_MS;
    this.timing = observer.detectorSeconds !== undefined;
  }

  /** A full snapshot of one region: replaces everything it reported before. */
  applySnapshot(s: RegionSnapshot, now: number): void {
    const t0 = this.timing ? performance.now() : 0;
    const r = this.regions.get(s.region);
    r.instance = s.instance;
    r.lastEventAt = now;
    r.behaviours = [...s.behaviours];
    r.peers = new Map(s.peers.map((p) => [p.region, p]));
    const statusChanged = this.regions.setStatus(s.region, s.status, now);
    const changes = this.graph.replaceRegion(s.region, s.tracks, now);
    const touched = new Set<TrackId>();
    for (const c of changes) {
      this.onNodeChange(c, s.ts);
      touched.add(c.track);
    }
    for (const track of touched) this.evaluateTrack(track, s.ts, now);
    this.syncLoopsIfChanged(s.ts, now);
    this.evaluateRegion(s.region, s.ts, now);
    for (const p of s.peers) this.reevaluateIfOffline(p.region, s.ts, now);
    if (statusChanged) this.emitHealth(r, now);
    this.time("event", t0);
  }

  applyEvent(ev: SfuEvent, now: number): void {
    const t0 = this.timing ? performance.now() : 0;
    const r = this.regions.get(ev.region);
    r.lastEventAt = now;
    switch (ev.type) {
      case "track": {
        const c = this.graph.upsert(ev.region, ev.entry, now);
        this.onNodeChange(c, ev.ts);
        this.evaluateTrack(ev.entry.track, ev.ts, now);
        this.syncLoopsIfChanged(ev.ts, now);
        break;
      }
      case "track-removed": {
        const c = this.graph.remove(ev.region, ev.track);
        if (c !== null) {
          this.onNodeChange(c, ev.ts);
          this.evaluateTrack(ev.track, ev.ts, now);
          this.syncLoopsIfChanged(ev.ts, now);
        }
        break;
      }
      case "peer": {
        const before = r.peers.get(ev.peer.region);
        r.peers.set(ev.peer.region, ev.peer);
        this.reevaluateIfOffline(ev.peer.region, ev.ts, now);
        if (before?.reachable !== ev.peer.reachable) this.emitHealth(r, now);
        break;
      }
      case "status": {
        const changed = this.regions.setStatus(ev.region, ev.status, now);
        this.evaluateRegion(ev.region, ev.ts, now);
        if (changed) this.emitHealth(r, now);
        break;
      }
      case "behaviours":
        r.behaviours = [...ev.behaviours];
        break;
    }
    this.time("event", t0);
  }

  /** The analyzer's connection to a region's API came up or went down. */
  setConnected(region: Region, connected: boolean, now: number, reason = ""): void {
    const r = this.regions.get(region);
    this.warmUp.seen(regionKey(region), now);
    if (connected) this.warmUp.markHealthy(regionKey(region), now);
    if (!this.regions.setConnected(region, connected, now, reason)) return;
    this.evaluateRegion(region, now, now);
    // Its copies are judged again (or no longer): MissingRelay skips unreachable regions.
    for (const track of [...this.graph.tracksOf(region)]) this.evaluateTrack(track, now, now);
    this.emitHealth(r, now);
  }

  /** Whether the analyzer's view of a region is live (not cut off from its API). */
  private reachable(region: Region): boolean {
    return !this.regions.has(region) || this.regions.get(region).disconnectedSince === null;
  }

  /** Probe windows from an agent (already validated). */
  ingestProbes(results: readonly ProbeResult[], now: number): void {
    const t0 = this.timing ? performance.now() : 0;
    let failingChanged = false;
    let turnChanged = false;
    for (const res of results) {
      // TURN windows (probes/turn/) are not pairs: they feed the TURN detector only.
      if (viaOf(res) === "turn") {
        if (this.recordTurn(res, now)) turnChanged = true;
        continue;
      }
      const key = pairKey(res.src, res.dst);
      const media = res.status === "ok" || res.status === "degraded";
      const o = this.matrix.record(res, !(media && this.warmUp.awaitingMedia(key)));
      if (o === null) continue;
      const settled = this.warmUp.window(key, media, now, res.ts);
      if (o.failingChanged) failingChanged = true;
      if (o.slowChanged || settled) this.syncLatency(o.pair, now);
      if (media) {
        this.reevaluateIfOffline(res.src, res.ts, now);
        this.reevaluateIfOffline(res.dst, res.ts, now);
      }
    }
    if (failingChanged) {
      this.syncPairs(now);
      // A loop's evidence lists the pairs it breaks: they change with the matrix.
      if (this.loops.loopCount > 0) {
        this.loopsChanged = true;
        this.syncLoopsIfChanged(now, now);
      }
    }
    if (turnChanged || failingChanged) this.syncTurn(now);
    this.time("probes", t0);
  }

  /** RelayLatencyHigh of one pair; while the pair is starting it stays pending until its grace ends. */
  private syncLatency(pair: PairState, now: number): void {
    const notBefore = this.warmUp.notBefore(pairKey(pair.src, pair.dst));
    const f = latencyFinding(pair, this.thresholds.probe, this.thresholds.relayLatencyMs);
    this.sync(`latency:${pair.src}>${pair.dst}`, pair.slow ? [notBefore === undefined ? f : { ...f, notBefore }] : [], now);
  }

  /** The 1 s sweep: fires pending alerts that came due, re-localises pairs whose warm-up ended. */
  tick(now: number): void {
    const t0 = this.timing ? performance.now() : 0;
    if (this.pairGraceDue !== null && now >= this.pairGraceDue) this.syncPairs(now);
    for (const t of this.book.tick(now)) this.emit(t);
    this.time("tick", t0);
  }

  /** Someone owns a firing alert (POST /v1/alerts/:fingerprint/ack): the update goes out like any other (stream, store), paging no one. Null when it does not fire. */
  acknowledge(fingerprint: string, by: string, now: number): Alert | null {
    const t = this.book.acknowledge(fingerprint, by, now);
    if (t === null) return null;
    this.emit(t);
    return t.alert;
  }

  /** Whether a pair, region or copy has never been healthy since it appeared, within the grace (API, TUI). */
  startingPair(src: Region, dst: Region, now: number): boolean {
    return this.warmUp.starting(pairKey(src, dst), now);
  }

  startingRegion(region: Region, now: number): boolean {
    return this.warmUp.starting(regionKey(region), now);
  }

  /** Localises the failing pairs, leaving out those still starting (their grace end is swept). */
  private syncPairs(now: number): void {
    let due: number | null = null;
    const view = [...this.matrix.allPairs()].map((p) => {
      if (!p.failing) return p;
      const notBefore = this.warmUp.episodeNotBefore(pairKey(p.src, p.dst), p.failingSince);
      if (notBefore === undefined || now >= notBefore) return p;
      due = due === null ? notBefore : Math.min(due, notBefore);
      return { ...p, failing: false };
    });
    this.pairGraceDue = due;
    this.sync("pairs", pairFailingFindings(localiseFailures(view, (p) => this.loopExplains(p)), this.thresholds.probe), now);
  }

  private recordTurn(res: ProbeResult, now: number): boolean {
    // Like a pair: healthy after SETTLED_WINDOWS windows of media, a failure from before that is warm-up.
    this.warmUp.window(`turn:${res.dst}`, res.status === "ok" || res.status === "degraded", now, res.ts);
    return this.turn.record(res);
  }

  /** TurnUnavailable per region: its TURN failing while direct pairs into it work. */
  private syncTurn(now: number): void {
    const direct = (region: Region): DirectMedia => {
      const into = [...this.matrix.allPairs()].filter((p) => p.dst === region);
      return { ok: into.filter((p) => !p.failing).map((p) => pairKey(p.src, p.dst)), failing: into.filter((p) => p.failing).map((p) => pairKey(p.src, p.dst)) };
    };
    const since = new Map([...this.turn.all()].map((t) => [t.region, t.failingSince]));
    this.sync("turn", turnFindings(this.turn.all(), direct, (region) => this.warmUp.episodeNotBefore(`turn:${region}`, since.get(region) ?? null)), now);
  }

  /** One RelayLoop per cycle across every looped track, re-synced when the set of cycles changes. */
  private syncLoopsIfChanged(observedAt: number, now: number): void {
    if (!this.loopsChanged) return;
    this.loopsChanged = false;
    const looped: LoopedTrack[] = this.loops.tracksWithCycles().map((track) => ({ track, relays: this.graph.track(track), loops: this.loops.loopsOf(track) }));
    this.sync("loops", relayLoopFindings(looped, (tracks) => this.brokenPairs(tracks), observedAt), now);
  }

  /** Failing probe pairs on the given looped tracks, or that a loop explains. */
  private brokenPairs(tracks: ReadonlySet<string>): BrokenPair[] {
    const out: BrokenPair[] = [];
    for (const p of this.matrix.allPairs()) {
      if (p.failing && (tracks.has(p.last.track) || this.loopExplains(p))) out.push({ src: p.src, dst: p.dst, track: p.last.track });
    }
    return out;
  }

  /** A failing pair whose probe track is looped with the pair's dst on the cycle: the loop explains it. */
  private loopExplains(p: PairState): boolean {
    return this.loops.cyclesOf(p.last.track).some((cycle) => cycle.includes(p.dst));
  }

  private onNodeChange(c: NodeChange, ts: number): void {
    if ((c.upstreamBefore !== c.upstreamAfter || c.removed) && this.loops.onUpstreamChange(this.graph.track(c.track), c.track, c.region, ts)) this.loopsChanged = true;
    if (c.structural && this.observer.edge !== undefined) {
      const n = this.graph.node(c.track, c.region);
      const t = this.graph.track(c.track);
      this.safe(() =>
        this.observer.edge?.({
          ts,
          track: c.track,
          region: c.region,
          upstream: n?.upstream ?? null,
          origin: t === undefined ? null : trackOrigin(t),
          state: c.removed ? "closed" : (n?.state ?? "closed"),
          path: [...(n?.path ?? [])],
          packets: n?.packets ?? 0,
          bytes: n?.bytes ?? 0,
          kind: "change",
        }),
      );
    }
  }

  private evaluateTrack(track: TrackId, observedAt: number, now: number): void {
    const t = this.graph.track(track);
    const findings: Finding[] = [];
    if (t !== undefined) {
      const origin = trackOrigin(t);
      const grace = this.warmUp.graceMs;
      findings.push(...missingRelayFindings(t, track, origin, observedAt, (r) => this.reachable(r), (n) => copyNotBefore(n, grace)), ...staleRelayFindings(t, track, this.thresholds.staleRelayAfterMs, observedAt));
    }
    this.sync(`track:${track}`, findings, now);
    if (this.observer.track !== undefined) this.safe(() => this.observer.track?.(track));
  }

  private reevaluateIfOffline(region: Region, observedAt: number, now: number): void {
    if (this.regions.has(region) && this.regions.get(region).status?.state === "offline") this.evaluateRegion(region, observedAt, now);
  }

  private evaluateRegion(region: Region, observedAt: number, now: number): void {
    const r = this.regions.get(region);
    if (r.status?.state === "offline") this.gatherWitnesses(r, now);
    this.sync(`region:${region}`, [...isolationFindings(r, observedAt), ...unreachableFindings(r, observedAt, this.warmUp.notBefore(regionKey(region)))], now);
  }

  private gatherWitnesses(r: RegionRecord, now: number): void {
    const since = r.status?.since ?? now;
    for (const { from, entry } of this.regions.peerViewsOf(r.region)) {
      if ((entry.reachable && entry.lastSeenAt === null) || isWitnessTime(entry.lastSeenAt, since)) {
        addWitness(r, { kind: "peer", from, at: entry.lastSeenAt });
      }
    }
    for (const p of this.matrix.reachedSince(r.region, since - WITNESS_WINDOW_MS)) {
      addWitness(r, { kind: "probe", from: `${p.src}>${p.dst}`, at: p.lastOkAt });
    }
  }

  private sync(scope: string, findings: readonly Finding[], now: number): void {
    for (const t of this.book.sync(scope, applyPagingPolicy(findings, this.horizonMs), now)) this.emit(t);
  }

  private emit(t: AlertTransition): void {
    if (this.observer.transition !== undefined) this.safe(() => this.observer.transition?.(t));
  }

  private emitHealth(r: RegionRecord, now: number): void {
    if (this.observer.health === undefined) return;
    const h = regionHealth(r, now);
    if (h !== null) this.safe(() => this.observer.health?.(h));
  }

  private time(kind: "event" | "probes" | "tick", t0: number): void {
    if (this.timing) this.safe(() => this.observer.detectorSeconds?.(kind, (performance.now() - t0) / 1000));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.observer.observerError?.(err);
      } catch {
        // An error reporter that throws has nowhere left to report to.
      }
    }
  }
}

/** The warm-up key of a region (pairs use pairKey: `src>dst`). */
function regionKey(region: Region): string {
  return `region:${region}`;
}
