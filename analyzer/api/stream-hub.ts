// SSE fan-out for GET /v1/stream: every client gets alert transitions and the overview
// (on connect and on each sweep); track graphs go to clients watching that track
// (`?track=room/cam`, repeatable) and, for tracks whose loop fires or resolves, to all.
// A slow client is dropped rather than buffered without bound.
import type { ServerResponse } from "node:http";
import type { AnalyzerStreamEvent } from "../../core/analyzer-api.js";
import type { TrackId } from "../../core/region.js";
import { SSE_HEADERS, sseEvent } from "../../core/sse.js";

/** 1 MiB of unsent stream per client: beyond it the client is too slow and is dropped. */
export const CLIENT_BUFFER_LIMIT = 1 << 20;

interface Client {
  res: ServerResponse;
  tracks: ReadonlySet<TrackId>;
}

export class StreamHub {
  private readonly clients = new Set<Client>();
  private id = 0;
  private closed = false;

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse, tracks: readonly TrackId[], first: readonly AnalyzerStreamEvent[]): void {
    if (this.closed) {
      res.end();
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    const c: Client = { res, tracks: new Set(tracks) };
    this.clients.add(c);
    res.on("close", () => this.clients.delete(c));
    for (const e of first) this.write(c, e);
  }

  watches(track: TrackId): boolean {
    for (const c of this.clients) if (c.tracks.has(track)) return true;
    return false;
  }

  broadcast(e: AnalyzerStreamEvent): void {
    for (const c of this.clients) this.write(c, e);
  }

  /** Sends a track graph to the clients watching it (or to all when `all`). */
  track(e: Extract<AnalyzerStreamEvent, { type: "track" }>, all: boolean): void {
    for (const c of this.clients) if (all || c.tracks.has(e.graph.track)) this.write(c, e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private write(c: Client, e: AnalyzerStreamEvent): void {
    if (c.res.writableLength > CLIENT_BUFFER_LIMIT) {
      this.clients.delete(c);
      c.res.destroy();
      return;
    }
    c.res.write(sseEvent({ id: ++this.id, event: e.type, data: JSON.stringify(e) }));
  }
}
