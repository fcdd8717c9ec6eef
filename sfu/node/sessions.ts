// WHIP/WHEP sessions of this region (what a `Location` names), and ending them: when the
// client asks, when the region goes offline or an operator drains it, and on their own when
// they never connect or their media stops (session-expiry.ts decides; a sweep on the
// injected clock applies it). The engine owns the media; this only maps resource ids to
// engine ids and closes through the engine, which frees the socket and the track name.
import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";
import {
  initialSessionState,
  observeSession,
  SESSION_SWEEP_INTERVAL_MS,
  type SessionExpiryReason,
  type SessionLimits,
  type SessionObservation,
  type SessionState,
} from "./session-expiry.js";

export type SessionKind = "whip" | "whep";

export type Session =
  | { id: string; kind: "whip"; track: TrackId }
  | { id: string; kind: "whep"; track: TrackId; subscriptionId: string };

export interface SessionsOptions {
  engine: MediaEngine;
  logger: Logger;
  clock: Clock;
  limits: SessionLimits;
  /** A session ended on its own (the metric). */
  onExpired: (kind: SessionKind, reason: SessionExpiryReason) => void;
}

interface Entry {
  session: Session;
  state: SessionState;
}

export class Sessions {
  private readonly byId = new Map<string, Entry>();
  private readonly o: SessionsOptions;
  private readonly sweeper: TimerHandle;
  private closed = false;

  constructor(o: SessionsOptions) {
    this.o = o;
    this.sweeper = o.clock.setInterval(() => {
      this.sweep();
    }, Math.min(SESSION_SWEEP_INTERVAL_MS, o.limits.connectTimeoutMs, o.limits.mediaTimeoutMs));
  }

  addPublisher(track: TrackId): Session {
    return this.add({ id: randomUUID(), kind: "whip", track });
  }

  addSubscriber(track: TrackId, subscriptionId: string): Session {
    return this.add({ id: randomUUID(), kind: "whep", track, subscriptionId });
  }

  get(id: string): Session | undefined {
    return this.byId.get(id)?.session;
  }

  /** The engine ended a subscription (peer gone, source gone): forget its session. */
  subscriptionEnded(subscriptionId: string): void {
    for (const [id, e] of this.byId) if (e.session.kind === "whep" && e.session.subscriptionId === subscriptionId) this.byId.delete(id);
  }

  /** The track's publisher ended: forget its session. */
  publisherEnded(track: TrackId): void {
    for (const [id, e] of this.byId) if (e.session.kind === "whip" && e.session.track === track) this.byId.delete(id);
  }

  /** Ends a session through the engine; false when there is no such session. */
  async end(id: string): Promise<boolean> {
    const s = this.byId.get(id)?.session;
    if (s === undefined) return false;
    this.byId.delete(id);
    try {
      if (s.kind === "whip") await this.o.engine.unpublish(s.track);
      else await this.o.engine.unsubscribe(s.subscriptionId);
    } catch (err) {
      // Already ended by the engine (peer gone) between lookup and close: nothing left to do.
      this.o.logger.debug({ session: id, err }, "end() | session already gone in the engine");
    }
    return true;
  }

  /** Ends every session (offline drain); returns how many were ended. */
  async drain(): Promise<number> {
    const ids = [...this.byId.keys()];
    await Promise.all(ids.map((id) => this.end(id)));
    return ids.length;
  }

  /** Applies the expiry policy to every session once (the sweep timer calls this). */
  sweep(): void {
    if (this.closed || this.o.engine.closed) return;
    const now = this.o.clock.now();
    for (const [id, e] of [...this.byId]) {
      const step = observeSession(e.state, this.observe(e.session), now, this.o.limits);
      e.state = step.state;
      if (step.expired === null) continue;
      this.o.logger.info({ session: id, kind: e.session.kind, track: e.session.track, reason: step.expired }, "sweep() | session expired, ending it");
      this.o.onExpired(e.session.kind, step.expired);
      void this.end(id);
    }
  }

  /** Stops the sweep (node close); the engine's close ends the sessions themselves. */
  close(): void {
    this.closed = true;
    this.sweeper.cancel();
  }

  get size(): number {
    return this.byId.size;
  }

  private add(session: Session): Session {
    this.byId.set(session.id, { session, state: initialSessionState(this.o.clock.now()) });
    return session;
  }

  private observe(s: Session): SessionObservation {
    let stats;
    try {
      stats = this.o.engine.stats(s.track);
    } catch {
      // The track is gone from the engine: its end event is on its way; nothing to observe.
      return { connected: false, lastMediaAtMs: null };
    }
    if (s.kind === "whip") return { connected: stats.firstPacketAtMs !== null || stats.lastPacketAtMs !== null, lastMediaAtMs: stats.lastPacketAtMs };
    const sub = stats.subscriptions.find((x) => x.subscriptionId === s.subscriptionId);
    return { connected: sub?.connected ?? false, lastMediaAtMs: null };
  }
}
