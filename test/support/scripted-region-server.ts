// ScriptedRegionServer — a STAND-IN for a real region node (sfu/) until that lands: a real
// loopback HTTP server that serves exactly the core contract (GET /v1/state, SSE
// GET /v1/events with seq numbers) from a script the test drives. It has no relay, no
// media, no health logic: tests say what the region reports, and it reports it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Region, TrackId } from "../../core/region.js";
import type { PeerEntry, RegionSnapshot, RegionStatus, SfuEvent, TrackEntry } from "../../core/sfu-state.js";
import { SSE_HEADERS, sseComment, sseEvent } from "../../core/sse.js";

type EventBody =
  | { type: "track"; entry: TrackEntry }
  | { type: "track-removed"; track: TrackId }
  | { type: "peer"; peer: PeerEntry }
  | { type: "status"; status: RegionStatus };

export class ScriptedRegionServer {
  readonly region: Region;
  private server: Server | null = null;
  private port = 0;
  private instanceNo = 1;
  private seq = 0;
  private readonly clients = new Set<ServerResponse>();
  private tracks = new Map<TrackId, TrackEntry>();
  private peers = new Map<Region, PeerEntry>();
  private status: RegionStatus = { state: "online", isolation: "guarded", reason: "", since: 0, eventLoopLagMs: 1 };
  /** Requests served, by path: tests assert refetches with it. */
  readonly hits = { state: 0, events: 0 };

  constructor(region: Region) {
    this.region = region;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get instance(): string {
    return `${this.region}-scripted-${this.instanceNo}`;
  }

  /** Listens on 127.0.0.1 (the same port again after a stop, when it had one). */
  async start(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((req, res) => { this.handle(req, res); });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => { resolve(); });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection (the region is unreachable). */
  async stop(): Promise<void> {
    const s = this.server;
    if (s === null) return;
    this.server = null;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => { r(); }));
  }

  /** A process restart: new instance, sequence numbers from 0, state kept as scripted. */
  async restart(): Promise<void> {
    await this.stop();
    this.instanceNo++;
    this.seq = 0;
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  snapshot(): RegionSnapshot {
    return { region: this.region, seq: this.seq, ts: Date.now(), instance: this.instance, engine: "scripted", status: this.status, behaviours: [], peers: [...this.peers.values()], tracks: [...this.tracks.values()] };
  }

  /** Applies a change and streams it with the next sequence number. */
  emit(body: EventBody): SfuEvent {
    const ev = this.fold(body);
    const frame = sseEvent({ id: ev.seq, data: JSON.stringify(ev) });
    for (const c of this.clients) c.write(frame);
    return ev;
  }

  /** Applies a change but never streams it: subscribers see a sequence gap next time. */
  emitSilently(body: EventBody): SfuEvent {
    return this.fold(body);
  }

  private fold(body: EventBody): SfuEvent {
    const base = { seq: ++this.seq, ts: Date.now(), region: this.region };
    switch (body.type) {
      case "track":
        this.tracks.set(body.entry.track, body.entry);
        return { ...base, type: "track", entry: body.entry };
      case "track-removed":
        this.tracks.delete(body.track);
        return { ...base, type: "track-removed", track: body.track };
      case "peer":
        this.peers.set(body.peer.region, body.peer);
        return { ...base, type: "peer", peer: body.peer };
      case "status":
        this.status = body.status;
        return { ...base, type: "status", status: body.status };
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === "GET" && req.url === "/v1/state") {
      this.hits.state++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.snapshot()));
      return;
    }
    if (req.method === "GET" && req.url === "/v1/events") {
      this.hits.events++;
      res.writeHead(200, SSE_HEADERS);
      res.write(sseComment("scripted region stream"));
      this.clients.add(res);
      req.on("close", () => this.clients.delete(res));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
  }
}
