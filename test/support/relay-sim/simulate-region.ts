// One simulated region: the real relay machine (relay-machine.ts), with its effects
// performed against a simulated world instead of HTTP, a MediaEngine and a Clock. Peer
// calls become messages the world delivers after its chosen delay; the engine answers at
// once (a relay-in or relay-out opens, media is set and the first packet follows); the
// subscriber client re-subscribes whenever its subscription or wait ends while it still
// wants the track. The table and announcements are the announce policy's, as in the
// region node's Announcer.
import type { Region, TrackId } from "../../../core/region.js";
import type { TrackMedia } from "../../../sfu/media/track-media.js";
import { classifyPullReply } from "../../../sfu/node/relay-protocol.js";
import { announcedEntries, earlyAnnounced, entriesKey } from "../../../sfu/relay/announce-policy.js";
import type { LegacyBehaviours } from "../../../sfu/relay/legacy-behaviours.js";
import { initialRelays, step, timerKey } from "../../../sfu/relay/relay-machine.js";
import type { RelayConfig, RelayEffect, RelayEvent, RelayMachineState, TimerKey } from "../../../sfu/relay/relay-machine-types.js";
import { localTrack } from "../../../sfu/relay/relay-views.js";
import type { SimMessageKind } from "./simulate-types.js";
import { applyAnnouncement, emptyTrackTable, MAX_TTL_MS, snapshotAnnouncement, type TrackAnnouncement, type TrackTable } from "../../../sfu/relay/track-table.js";

/** 500 ms: how long a simulated subscriber waits before subscribing again after a refusal. */
export const SIM_CLIENT_RETRY_MS = 500;

/** What every simulated relay pipe carries (the machine only passes it on). */
const SIM_MEDIA: TrackMedia = { kind: "video", codec: { mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }, ssrc: 1 };

export interface SimTimer {
  cancelled: boolean;
}

/** The simulated world a region lives in: time, the network and the other regions. */
export interface SimWorld {
  now(): number;
  /** Delivers `deliver` at `to` after the network's delay for this message. */
  send(from: Region, to: Region, kind: SimMessageKind, what: string, deliver: (to: SimRegion) => void): void;
  schedule(at: number, label: string, run: () => void): SimTimer;
  rtts(self: Region): ReadonlyMap<Region, number>;
  peers(self: Region): readonly Region[];
  /** Some region's tracks changed (the world re-checks the relay graphs). */
  tracksChanged(): void;
}

interface Client {
  demanding: boolean;
  waiter: string | null;
  subscription: string | null;
}

type Incoming = { kind: "pull" | "pull-result"; from: Region; track: TrackId; pullId: string } | { kind: "other" };

export class SimRegion {
  readonly name: Region;
  state: RelayMachineState;
  private readonly world: SimWorld;
  private readonly behaviours: LegacyBehaviours;
  private table: TrackTable = emptyTrackTable();
  private version = 0;
  private lastKey = "";
  private early: ReadonlySet<TrackId> = new Set();
  private quiet = true;
  private ids = 0;
  private readonly timers = new Map<string, SimTimer>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly clients = new Map<TrackId, Client>();

  constructor(config: RelayConfig, behaviours: LegacyBehaviours, world: SimWorld, origins: readonly TrackId[]) {
    this.name = config.self;
    this.world = world;
    this.behaviours = behaviours;
    this.state = initialRelays(config);
    for (const track of origins) this.dispatch({ kind: "publisher-added", track });
  }

  /** Starts announcing (after every region's publishers are in place). */
  start(): void {
    this.quiet = false;
    this.announce();
  }

  receiveAnnouncement(a: TrackAnnouncement): void {
    this.table = applyAnnouncement(this.table, a, this.world.now());
  }

  act(kind: "demand" | "undemand" | "break", track: TrackId): void {
    const c = this.client(track);
    if (kind === "demand") {
      c.demanding = true;
      if (c.waiter === null && c.subscription === null) this.subscribe(track, c);
    } else if (kind === "undemand") {
      c.demanding = false;
      if (c.waiter !== null) this.dispatch({ kind: "waiter-gone", track, id: c.waiter });
      if (c.subscription !== null) this.dispatch({ kind: "subscriber-gone", track, id: c.subscription });
      c.waiter = null;
      c.subscription = null;
    } else {
      const t = this.state.tracks.get(track);
      const relayIn = t?.source.kind === "relay" ? t.source.relay.relayIn : null;
      if (relayIn?.kind !== "open") return;
      this.dispatch({ kind: "relay-in-closed", track, id: relayIn.id });
      this.sourceEnded(track);
    }
  }

  /** Feeds one event to the machine and performs its effects (the engine's answers at once). */
  dispatch(event: RelayEvent): void {
    const env = { now: this.world.now(), table: this.table, rtts: this.world.rtts(this.name), behaviours: this.behaviours };
    const { state, effects } = step(this.state, event, env);
    if (state.tracks !== this.state.tracks) this.world.tracksChanged();
    this.state = state;
    for (const e of effects) this.perform(e);
  }

  private perform(e: RelayEffect): void {
    switch (e.kind) {
      case "open-relay-in": { this.dispatch({ kind: "relay-in-opened", track: e.track, relay: e.relay, id: `in${e.relay}`, port: 1 }); return; }
      case "set-relay-media":
        this.dispatch({ kind: "relay-media-set", track: e.track, pullId: e.pullId, ok: true });
        { this.dispatch({ kind: "first-packet", track: e.track, relayInId: e.relayInId, at: this.world.now() }); return; }
      case "open-relay-out":
        { this.dispatch({ kind: "relay-out-opened", track: e.track, region: e.region, pullId: e.pullId, id: `out${this.ids++}`, media: SIM_MEDIA }); return; }
      case "close-relay":
        if (e.id.startsWith("in")) this.sourceEnded(e.track);
        return;
      case "send-pull": { this.call(e.to, "pull", e.track, { kind: "pull", from: this.name, track: e.track, pullId: e.pullId }, (requestId) => ({
        kind: "pull-arrived", requestId, from: this.name, track: e.track, pullId: e.pullId, path: e.path, port: e.port,
      })); return; }
      case "send-pull-result": { this.call(e.to, "reply", `${e.track} ${"error" in e.result ? e.result.error : "ok"}`, { kind: "pull-result", from: this.name, track: e.track, pullId: e.pullId }, (requestId) => ({
        kind: "pull-result", requestId, from: this.name, track: e.track, pullId: e.pullId, result: e.result,
      })); return; }
      case "send-leave": { this.call(e.to, "leave", e.track, { kind: "other" }, (requestId) => ({ kind: "leave-arrived", requestId, from: this.name, track: e.track, pullId: e.pullId })); return; }
      case "send-close": { this.call(e.to, "close", e.track, { kind: "other" }, (requestId) => ({ kind: "upstream-closed", requestId, from: this.name, track: e.track, pullId: e.pullId })); return; }
      case "reply": { this.reply(e.requestId, e.status, e.body); return; }
      case "resolve-waiters": { this.waitersSettled(e.track, e.ids, true); return; }
      case "reject-waiters": { this.waitersSettled(e.track, e.ids, false); return; }
      case "start-timer": { this.startTimer(e.timer, e.ms); return; }
      case "cancel-timer": { this.cancelTimer(e.timer); return; }
      case "changed": { this.announce(); return; }
      default: return;
    }
  }

  /** A peer call: the callee learns who awaits its reply, then the machine gets the event. */
  private call(to: Region, kind: SimMessageKind, what: string, awaited: Incoming, event: (requestId: string) => RelayEvent): void {
    const requestId = `${this.name}#${this.ids++}`;
    this.world.send(this.name, to, kind, what, (callee) => {
      callee.incoming.set(requestId, awaited);
      callee.dispatch(event(requestId));
    });
  }

  /** The machine answered a peer call: pulls and pull-results get their answer back over the network. */
  private reply(requestId: string, status: number, body: unknown): void {
    const inc = this.incoming.get(requestId);
    this.incoming.delete(requestId);
    if (inc === undefined || inc.kind === "other") return;
    const { from, track, pullId } = inc;
    if (inc.kind === "pull-result") {
      this.world.send(this.name, from, "answer", `${track} ${status}`, (caller) => {
        caller.dispatch({ kind: "pull-result-answered", track, to: this.name, pullId, accepted: status === 200 });
      });
      return;
    }
    const outcome = classifyPullReply(status, body);
    const what = outcome.kind === "refused" ? outcome.why : outcome.kind === "pending" ? "pending" : "ok";
    this.world.send(this.name, from, "reply", `${track} ${what}`, (caller) => {
      caller.dispatch({ kind: "pull-answered", track, from: this.name, pullId, outcome });
    });
  }

  private waitersSettled(track: TrackId, ids: readonly string[], served: boolean): void {
    const c = this.client(track);
    if (c.waiter === null || !ids.includes(c.waiter)) return;
    c.waiter = null;
    if (served) {
      c.subscription = `s${this.ids++}`;
      this.dispatch({ kind: "subscriber-added", track, id: c.subscription });
      return;
    }
    this.world.schedule(this.world.now() + SIM_CLIENT_RETRY_MS, `resubscribe ${this.name} ${track}`, () => {
      if (c.demanding && c.waiter === null && c.subscription === null) this.subscribe(track, c);
    });
  }

  /** The engine ended the track's source: its subscriptions end, and a client that still wants it subscribes again. */
  private sourceEnded(track: TrackId): void {
    const c = this.clients.get(track);
    if (c?.subscription == null) return;
    const id = c.subscription;
    c.subscription = null;
    this.dispatch({ kind: "subscriber-gone", track, id });
    if (c.demanding && c.waiter === null) this.subscribe(track, c);
  }

  private subscribe(track: TrackId, c: Client): void {
    c.waiter = `w${this.ids++}`;
    this.dispatch({ kind: "waiter-added", track, id: c.waiter });
  }

  private client(track: TrackId): Client {
    let c = this.clients.get(track);
    if (c === undefined) {
      c = { demanding: false, waiter: null, subscription: null };
      this.clients.set(track, c);
    }
    return c;
  }

  private startTimer(timer: TimerKey, ms: number): void {
    const key = timerKey(timer);
    const old = this.timers.get(key);
    if (old !== undefined) old.cancelled = true;
    const where = timer.kind === "upstream-lost" ? timer.region : `${this.name} ${timer.track}`;
    this.timers.set(key, this.world.schedule(this.world.now() + Math.max(0, ms), `${timer.kind} ${where}`, () => {
      this.timers.delete(key);
      this.dispatch({ kind: "timer", timer });
    }));
  }

  private cancelTimer(timer: TimerKey): void {
    const key = timerKey(timer);
    const t = this.timers.get(key);
    if (t !== undefined) t.cancelled = true;
    this.timers.delete(key);
  }

  private announce(): void {
    if (this.quiet) return;
    const tracks = [...this.state.tracks.values()].map(localTrack);
    this.early = earlyAnnounced(this.early, tracks.filter((t) => t.demanded).map((t) => t.track), this.behaviours);
    const entries = announcedEntries(tracks, this.behaviours, this.early);
    const key = entriesKey(entries);
    if (key === this.lastKey && this.version > 0) return;
    this.lastKey = key;
    this.version += 1;
    const a = snapshotAnnouncement(this.name, this.version, entries, this.world.now(), MAX_TTL_MS);
    for (const peer of this.world.peers(this.name)) this.world.send(this.name, peer, "announce", `v${a.version}`, (to) => { to.receiveAnnouncement(a); });
  }
}
