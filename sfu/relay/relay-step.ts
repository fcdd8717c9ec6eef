// One step of the relay machine in the making: copies of the tracks it touches (the input
// state is never mutated), the effects it emits in order, and the counters it draws pull
// ids and relay serials from. relay-machine.ts dispatches events onto it; the pulling and
// serving halves (relay-pulling.ts, relay-serving.ts) edit its drafts.
import type { Region, TrackId } from "../../core/region.js";
import { newPullId } from "./pull-policy.js";
import type {
  Downstream,
  RelayConfig,
  RelayEffect,
  RelayEnv,
  RelayMachineState,
  StepResult,
  TimerKey,
  TrackSource,
  TrackState,
} from "./relay-machine-types.js";
import { hasDemand, newTrackState } from "./relay-views.js";

/** A track's state while a step edits it: its own maps, sets and relay object. */
export interface TrackDraft extends TrackState {
  source: TrackSource;
  served: Map<Region, Downstream>;
  attached: Map<Region, Downstream>;
  subscribers: Set<string>;
  waiters: Set<string>;
  lingering: boolean;
  firstPacketAt: number | null;
  updatedAt: number;
}

export class Step {
  readonly cfg: RelayConfig;
  readonly env: RelayEnv;
  readonly effects: RelayEffect[] = [];
  readonly suspects: Set<Region>;
  closed: boolean;
  private readonly base: RelayMachineState;
  private readonly drafts = new Map<TrackId, TrackDraft | null>();
  private readonly changedTracks = new Set<TrackId>();
  private nextSerial: number;
  private pullCounter: number;

  constructor(state: RelayMachineState, env: RelayEnv) {
    this.base = state;
    this.cfg = state.config;
    this.env = env;
    this.suspects = new Set(state.suspects);
    this.closed = state.closed;
    this.nextSerial = state.nextSerial;
    this.pullCounter = state.pullCounter;
  }

  get now(): number {
    return this.env.now;
  }

  get self(): Region {
    return this.cfg.self;
  }

  /** The track's draft, or undefined when the region holds nothing of it. */
  track(id: TrackId): TrackDraft | undefined {
    const d = this.drafts.get(id);
    if (d !== undefined) return d ?? undefined;
    const t = this.base.tracks.get(id);
    if (t === undefined) return undefined;
    const draft = copyTrack(t);
    this.drafts.set(id, draft);
    return draft;
  }

  ensure(id: TrackId): TrackDraft {
    const t = this.track(id);
    if (t !== undefined) return t;
    const draft = newTrackState(id, this.now) as TrackDraft;
    this.drafts.set(id, draft);
    return draft;
  }

  /** Every track id the region holds (drafts included), for region-wide events. */
  trackIds(): TrackId[] {
    const ids = new Set<TrackId>(this.base.tracks.keys());
    for (const [id, d] of this.drafts) {
      if (d === null) ids.delete(id);
      else ids.add(id);
    }
    return [...ids];
  }

  emit(effect: RelayEffect): void {
    this.effects.push(effect);
  }

  changed(t: TrackDraft): void {
    t.updatedAt = this.now;
    this.changedTracks.add(t.track);
  }

  startTimer(timer: TimerKey, ms: number): void {
    this.emit({ kind: "start-timer", timer, ms });
  }

  cancelTimer(timer: TimerKey): void {
    this.emit({ kind: "cancel-timer", timer });
  }

  newPullId(): string {
    return newPullId(this.now, this.pullCounter++, this.cfg.instance);
  }

  newSerial(): number {
    return this.nextSerial++;
  }

  /** Forgets a track nothing refers to any more (no source, no demand, no linger). */
  cleanup(t: TrackDraft): void {
    if (t.source.kind !== "none" || hasDemand(t) || t.lingering) return;
    if (this.drafts.get(t.track) === t) this.drafts.set(t.track, null);
    this.changedTracks.add(t.track);
  }

  finish(): StepResult {
    let tracks = this.base.tracks;
    if (this.drafts.size > 0) {
      const next = new Map(tracks);
      for (const [id, d] of this.drafts) {
        if (d === null) next.delete(id);
        else next.set(id, d);
      }
      tracks = next;
    }
    for (const track of this.changedTracks) this.effects.push({ kind: "changed", track });
    const state: RelayMachineState = {
      config: this.cfg,
      tracks,
      suspects: this.suspects,
      nextSerial: this.nextSerial,
      pullCounter: this.pullCounter,
      closed: this.closed,
    };
    return { state, effects: this.effects };
  }
}

function copyTrack(t: TrackState): TrackDraft {
  return {
    ...t,
    source: t.source.kind === "relay" ? { kind: "relay", relay: { ...t.source.relay } } : t.source,
    served: new Map(t.served),
    attached: new Map(t.attached),
    subscribers: new Set(t.subscribers),
    waiters: new Set(t.waiters),
  };
}
