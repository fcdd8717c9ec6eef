// The region node's relay control plane as an I/O shell around the pure relay machine
// (sfu/relay/relay-machine.ts): it turns what happens here — subscribes, publishers, the
// engine's events, peers' calls, heartbeats' verdicts — into machine events, and performs
// the effects the machine returns (relay-effects.ts: engine pipes, peer calls, timers,
// spans, metrics). It holds no relay state of its own beyond the machine's, and decides
// nothing the machine or its policies decide. relay-server.ts is the HTTP face of the
// peer calls.
import { randomUUID } from "node:crypto";
import type { Context, Span } from "@opentelemetry/api";
import type { Region, TrackId } from "../../core/region.js";
import type { LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { initialRelays, RELAY_RETRY_MS, step } from "../relay/relay-machine.js";
import type { RelayEvent, RelayMachineState, TrackState } from "../relay/relay-machine-types.js";
import { hasMedia, relayOf, relayPathOf } from "../relay/relay-views.js";
import type { TrackTable } from "../relay/track-table.js";
import type { PeerDirectory } from "./peers.js";
import { RelayEffects, type RelayIo } from "./relay-effects.js";
import { RelayWaitError } from "./relay-wait.js";

export { RELAY_RETRY_MS };

export interface RelayManagerOptions extends RelayIo {
  table: () => TrackTable;
  rtts: () => ReadonlyMap<Region, number>;
  behaviours: () => LegacyBehaviours;
  /** What this region announces changed, or may have: recompute and send. */
  announce: () => void;
  /** A track's state changed (for /v1/events). */
  onChange: (track: TrackId) => void;
  lingerMs: number;
  /** announce-early's settle wait before locating (legacy only). */
  settleMs?: number | undefined;
  retryMs?: number;
  /** How long an upstream region may stay unreachable before its relays are torn down. */
  upstreamLostMs: number;
}

export interface RelayReply {
  status: number;
  body: unknown;
}

export class RelayManager {
  private state: RelayMachineState;
  private readonly effects: RelayEffects;
  private readonly o: RelayManagerOptions;
  private readonly queue: RelayEvent[] = [];
  private dispatching = false;
  private peerDirectory: PeerDirectory | null = null;
  private ids = 0;

  constructor(options: RelayManagerOptions) {
    this.o = options;
    this.state = initialRelays({
      self: options.self, instance: randomUUID(), lingerMs: options.lingerMs, settleMs: options.settleMs,
      retryMs: options.retryMs ?? RELAY_RETRY_MS, upstreamLostMs: options.upstreamLostMs,
    });
    this.effects = new RelayEffects({
      self: options.self, engine: options.engine, clock: options.clock, logger: options.logger, tracer: options.tracer,
      metrics: options.metrics, client: options.client, peers: () => this.peerDirectory,
      changed: (track) => {
        options.announce();
        options.onChange(track);
      },
      feed: (e) => { this.dispatch(e); },
    });
  }

  /** Where relay-outs go: a downstream's reported port through this region's port map for it. */
  setPeers(peers: PeerDirectory): void {
    this.peerDirectory = peers;
  }

  /** Every track this region holds, as the machine has it (for /v1/state and announcements). */
  get tracks(): ReadonlyMap<TrackId, TrackState> {
    return this.state.tracks;
  }

  /** Media is known here: a subscribe can be answered now. */
  hasMedia(track: TrackId): boolean {
    return hasMedia(this.state.tracks.get(track));
  }

  /** `Relay-Path` for a track whose media is here: origin first, this region last. */
  relayPath(track: TrackId): string {
    return relayPathOf(this.o.self, this.state.tracks.get(track));
  }

  /**
   * Resolves once the track's media is here (publisher or relay with known media), starting
   * a relay when none runs. The wait counts as demand until it settles.
   */
  waitForMedia(track: TrackId, parent: Context, timeoutMs: number): Promise<void> {
    if (this.state.closed) return Promise.reject(new RelayWaitError("closed", "region node is closing"));
    const id = `w${++this.ids}`;
    return new Promise<void>((resolve, reject) => {
      const timer = this.o.clock.setTimeout(() => {
        this.effects.pending.delete(id);
        reject(new RelayWaitError("relay_timeout", `no relay of ${track} became ready in ${timeoutMs} ms`));
        this.dispatch({ kind: "waiter-gone", track, id });
      }, timeoutMs);
      this.effects.pending.set(id, {
        ctx: parent,
        settle: (status, body) => {
          timer.cancel();
          if (status === 200) resolve();
          else reject(new RelayWaitError(status === 503 ? "closed" : "unknown_track", (body as { detail?: string } | null)?.detail ?? "no relay"));
        },
      });
      this.dispatch({ kind: "waiter-added", track, id });
    });
  }

  subscribed(track: TrackId, subscriptionId: string): void {
    this.dispatch({ kind: "subscriber-added", track, id: subscriptionId });
  }

  subscriptionClosed(track: TrackId, subscriptionId: string): void {
    this.dispatch({ kind: "subscriber-gone", track, id: subscriptionId });
  }

  /** A subscribe whose wait was answered did not become a subscriber: demand may be gone. */
  subscribeFailed(track: TrackId): void {
    this.dispatch({ kind: "subscribe-failed", track });
  }

  publisherAdded(track: TrackId): void {
    this.dispatch({ kind: "publisher-added", track });
  }

  /** The engine saw the first packet of a track's source. */
  firstPacket(track: TrackId, relayId: string | null, atMs: number): void {
    this.dispatch({ kind: "first-packet", track, relayInId: relayId, at: atMs });
  }

  /** The track's source in the engine ended (publisher gone, relay-in closed). */
  sourceClosed(track: TrackId, relayId: string | null): void {
    this.dispatch(relayId === null ? { kind: "publisher-gone", track } : { kind: "relay-in-closed", track, id: relayId });
  }

  /** The engine closed a relay-out by itself (its source ended). */
  relayOutClosed(track: TrackId, relayId: string): void {
    this.dispatch({ kind: "relay-out-closed", track, id: relayId });
  }

  /** A peer's reachability changed (heartbeats): relays from an upstream lost for upstreamLostMs are torn down. */
  peerReachability(region: Region, reachable: boolean): void {
    this.dispatch({ kind: "peer-reachability", region, reachable });
  }

  /**
   * A peer's call for the machine to answer: the event names the request, and the promise
   * settles with the machine's reply (at once, or once a relay-out is open).
   */
  call(build: (requestId: string) => RelayEvent, ctx: Context, span?: Span): Promise<RelayReply> {
    const requestId = `r${++this.ids}`;
    return new Promise<RelayReply>((resolve) => {
      this.effects.pending.set(requestId, { ctx, ...(span === undefined ? {} : { span }), settle: (status, body) => { resolve({ status, body }); } });
      this.dispatch(build(requestId));
    });
  }

  /**
   * Drops this region's relay of `track` (admin API, breaking a loop) and re-locates it from
   * the origin while there is demand. Null when no relay of it runs here.
   */
  resetRelay(track: TrackId): { track: TrackId; upstream: Region | null; relocating: boolean } | null {
    const before = this.state.tracks.get(track);
    const relay = before === undefined ? null : relayOf(before);
    if (relay === null) return null;
    this.dispatch({ kind: "relay-reset", track });
    const after = this.state.tracks.get(track);
    const next = after === undefined ? null : relayOf(after);
    return { track, upstream: relay.phase.kind === "locating" ? null : relay.phase.upstream, relocating: next !== null && next.serial !== relay.serial };
  }

  close(): void {
    if (this.state.closed) return;
    this.dispatch({ kind: "close" });
    this.effects.close();
  }

  /** Feeds events one at a time (an effect may feed another: it waits its turn). */
  private dispatch(event: RelayEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) {
        const env = { now: this.o.clock.now(), table: this.o.table(), rtts: this.o.rtts(), behaviours: this.o.behaviours() };
        const { state, effects } = step(this.state, e, env);
        this.state = state;
        for (const fx of effects) this.effects.perform(fx);
      }
    } finally {
      this.dispatching = false;
    }
  }
}
