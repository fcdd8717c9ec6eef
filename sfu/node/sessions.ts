// WHIP/WHEP sessions of this region (what a `Location` names), and draining them when the
// region goes offline or an operator asks. The engine owns the media; this only maps
// resource ids to engine ids and closes through the engine.
import { randomUUID } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import type { TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";

export type Session =
  | { id: string; kind: "whip"; track: TrackId }
  | { id: string; kind: "whep"; track: TrackId; subscriptionId: string };

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly engine: MediaEngine;
  private readonly logger: Logger;

  constructor(engine: MediaEngine, logger: Logger) {
    this.engine = engine;
    this.logger = logger;
  }

  addPublisher(track: TrackId): Session {
    const s: Session = { id: randomUUID(), kind: "whip", track };
    this.byId.set(s.id, s);
    return s;
  }

  addSubscriber(track: TrackId, subscriptionId: string): Session {
    const s: Session = { id: randomUUID(), kind: "whep", track, subscriptionId };
    this.byId.set(s.id, s);
    return s;
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  /** The engine ended a subscription (peer gone, source gone): forget its session. */
  subscriptionEnded(subscriptionId: string): void {
    for (const s of this.byId.values()) if (s.kind === "whep" && s.subscriptionId === subscriptionId) this.byId.delete(s.id);
  }

  /** The track's publisher ended: forget its session. */
  publisherEnded(track: TrackId): void {
    for (const s of this.byId.values()) if (s.kind === "whip" && s.track === track) this.byId.delete(s.id);
  }

  /** Ends a session through the engine; false when there is no such session. */
  async end(id: string): Promise<boolean> {
    const s = this.byId.get(id);
    if (s === undefined) return false;
    this.byId.delete(id);
    try {
      if (s.kind === "whip") await this.engine.unpublish(s.track);
      else await this.engine.unsubscribe(s.subscriptionId);
    } catch (err) {
      // Already ended by the engine (peer gone) between lookup and close: nothing left to do.
      this.logger.debug({ session: id, err }, "end() | session already gone in the engine");
    }
    return true;
  }

  /** Ends every session (offline drain); returns how many were ended. */
  async drain(): Promise<number> {
    const ids = [...this.byId.keys()];
    await Promise.all(ids.map((id) => this.end(id)));
    return ids.length;
  }

  get size(): number {
    return this.byId.size;
  }
}
