// ReplaySource: the dashboard as it stood at a past moment, rebuilt from the store, with
// step/seek and play at a speed (10x: ten seconds of history per second). Feeds the same
// DashboardState as the live source. At most one load runs at a time; steps taken while
// one runs coalesce into the next load, so holding a key never queues up queries.
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import { alertsInRange } from "../../store/queries.js";
import type { Store } from "../../store/store.js";
import { regionOrder } from "../model/mesh-model.js";
import { emptyState, type DashboardSource, type DashboardState, type ReplayControls } from "./dashboard-state.js";
import { graphAt, matrixAt, regionsAt, tracksAt } from "./replay-queries.js";
import { StateBox } from "./state-box.js";

/** Resolved alerts shown this long after they ended (as the analyzer's live list does). */
const RESOLVED_SHOWN_MS = 15 * 60_000;
/** Playback advances once a second of wall time. */
const PLAY_TICK_MS = 1_000;

export interface ReplaySourceOptions {
  store: Store;
  at: number;
  speed: number;
  clock: Clock;
  /** Shown in the header, e.g. the store path. */
  label: string;
}

export class ReplaySource implements DashboardSource, ReplayControls {
  readonly replay: ReplayControls = this;
  private readonly box: StateBox;
  private readonly options: ReplaySourceOptions;
  private at: number;
  private playing = false;
  private playTimer: TimerHandle | null = null;
  private loading: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  constructor(options: ReplaySourceOptions) {
    this.options = options;
    this.at = options.at;
    this.box = new StateBox(emptyState("replay", this.connection(true, null), options.label));
  }

  getState(): DashboardState {
    return this.box.get();
  }

  subscribe(listener: () => void): () => void {
    return this.box.subscribe(listener);
  }

  start(): void {
    this.reload();
  }

  /** Resolves when the position's data is on screen (tests and the bench wait on it). */
  async settled(): Promise<void> {
    while (this.loading !== null) await this.loading;
  }

  step(ms: number): void {
    this.at += ms;
    this.box.update({ connection: this.connection(true, null) });
    this.reload();
  }

  togglePlay(): void {
    this.playing = !this.playing;
    this.playTimer?.cancel();
    this.playTimer = this.playing ? this.options.clock.setInterval(() => { this.step(this.options.speed * PLAY_TICK_MS); }, PLAY_TICK_MS) : null;
    this.box.update({ connection: this.connection(this.loading !== null, null) });
  }

  selectTrack(track: string | null): void {
    if (this.box.get().selectedTrack === track) return;
    this.box.update({ selectedTrack: track, graph: null });
    this.reload();
  }

  close(): Promise<void> {
    this.closed = true;
    this.playTimer?.cancel();
    return this.loading ?? Promise.resolve();
  }

  private connection(loading: boolean, error: string | null): DashboardState["connection"] {
    return { kind: "replay", at: this.at, playing: this.playing, speed: this.options.speed, loading, error };
  }

  private reload(): void {
    if (this.closed) return;
    if (this.loading !== null) {
      this.dirty = true;
      return;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.dirty && !this.closed) {
        this.dirty = false;
        this.reload();
      }
    });
  }

  private async load(): Promise<void> {
    const at = this.at;
    const { store } = this.options;
    const track = this.box.get().selectedTrack;
    try {
      const [pairs, regions, alerts, tracks, graph] = await Promise.all([
        matrixAt(store, at),
        regionsAt(store, at),
        alertsInRange(store, { from: at - RESOLVED_SHOWN_MS, to: at }),
        tracksAt(store, at),
        track === null ? Promise.resolve(null) : graphAt(store, track, at),
      ]);
      if (this.closed) return;
      // Alerts as they stood at `at`: one that resolved later is still firing here.
      const asOf = alerts.map((a) => (a.endsAt !== null && a.endsAt > at ? { ...a, state: "firing" as const, endsAt: null } : a));
      const overview = { ts: at, regions, pairs, firingAlerts: asOf.filter((a) => a.state === "firing" && a.severity === "critical" && a.evidence["inhibitedBy"] === undefined).length };
      const known = new Set(regions.map((r) => r.region));
      for (const r of regionOrder(overview)) {
        if (!known.has(r)) regions.push({ region: r, connected: true, lastEventAt: null, status: null, behaviours: [], peers: [], history: [], tracks: 0 });
      }
      this.box.update({ overview, alerts: asOf, tracks, graph, receivedAt: at, connection: this.connection(this.at !== at, null) });
    } catch (err) {
      if (!this.closed) this.box.update({ connection: this.connection(false, errorMessage(err).slice(0, 200)) });
    }
  }
}
