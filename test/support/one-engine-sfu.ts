// Test kit, not the reference SFU: a few "regions" as real loopback WHIP/WHEP HTTP servers
// over ONE shared werift MediaEngine (real WebRTC, real RTP; no relays, no track table).
// It lets the agent be tested end to end before, and independently of, sfu/node. The
// Relay-Path it reports is the one a two-hop mesh would (origin>subscriber region).
// Controls: take a region offline (503 + Retry-After, sessions drained), fail the next
// WHEP with a status, delay WHEP answers.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Region, TrackId } from "../../core/region.js";
import type { MediaEngine } from "../../sfu/media/engine.js";
import { WeriftEngine } from "../../sfu/media/werift/werift-engine.js";
import { parseProbeTrackId } from "../../probes/rotation.js";

interface RegionServer {
  region: Region;
  server: Server;
  url: string;
  offline: boolean;
  whepDelayMs: number;
  failNextWhep: number | null;
  /** WHIP sessions hold the track id, WHEP sessions the subscription id. */
  sessions: Map<string, { kind: "whip" | "whep"; id: string }>;
}

export class OneEngineSfu {
  readonly engine: MediaEngine;
  private readonly regions = new Map<Region, RegionServer>();
  readonly requests: { region: Region; method: string; path: string; authorization: string | undefined }[] = [];

  private constructor(engine: MediaEngine) {
    this.engine = engine;
  }

  /** `rtpPortRange` is required by the engine but never bound here: there are no relay pipes. */
  static async start(regions: readonly Region[], rtpPortRange = { min: 42_000, max: 42_999 }): Promise<OneEngineSfu> {
    const sfu = new OneEngineSfu(new WeriftEngine({ rtpPortRange }));
    for (const r of regions) await sfu.listen(r);
    return sfu;
  }

  url(region: Region): string {
    const s = this.regions.get(region);
    if (s === undefined) throw new Error(`no region ${region}`);
    return s.url;
  }

  /** Offline: new WHIP/WHEP get 503 + Retry-After, and the region's sessions are ended. */
  async setOffline(region: Region, offline: boolean): Promise<void> {
    const s = this.must(region);
    s.offline = offline;
    if (!offline) return;
    for (const [key, sess] of s.sessions) {
      s.sessions.delete(key);
      await (sess.kind === "whip" ? this.engine.unpublish(sess.id) : this.engine.unsubscribe(sess.id)).catch(() => undefined);
    }
  }

  failNextWhep(region: Region, status: number): void {
    this.must(region).failNextWhep = status;
  }

  setWhepDelay(region: Region, ms: number): void {
    this.must(region).whepDelayMs = ms;
  }

  async close(): Promise<void> {
    for (const s of this.regions.values()) {
      s.server.closeAllConnections();
      await new Promise<void>((resolve) => s.server.close(() => { resolve(); }));
    }
    this.regions.clear();
    await this.engine.close();
  }

  private must(region: Region): RegionServer {
    const s = this.regions.get(region);
    if (s === undefined) throw new Error(`no region ${region}`);
    return s;
  }

  private async listen(region: Region): Promise<void> {
    const app = express();
    app.use(express.text({ type: "application/sdp", limit: "64kb" }));
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const state: RegionServer = {
      region,
      server,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      offline: false,
      whepDelayMs: 0,
      failNextWhep: null,
      sessions: new Map(),
    };
    this.regions.set(region, state);
    app.use((req, _res, next) => {
      this.requests.push({ region, method: req.method, path: req.path, authorization: req.headers.authorization });
      next();
    });
    app.post("/:kind/:room/:track", async (req, res) => {
      const kind = req.params.kind;
      if (kind !== "whip" && kind !== "whep") {
        res.status(404).json({ error: "not_found" });
        return;
      }
      if (state.offline) {
        res.status(503).set("retry-after", "2").json({ error: "region_offline", detail: `${region} is offline` });
        return;
      }
      const trackId: TrackId = `${req.params.room}/${req.params.track}`;
      try {
        if (kind === "whip") {
          const r = await this.engine.publish(trackId, String(req.body));
          const key = randomUUID();
          state.sessions.set(key, { kind, id: trackId });
          res.status(201).set("location", `/whip/session/${key}`).type("application/sdp").send(r.answerSdp);
          return;
        }
        if (state.whepDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.whepDelayMs));
        if (state.failNextWhep !== null) {
          const status = state.failNextWhep;
          state.failNextWhep = null;
          res.status(status).json({ error: "injected", detail: `test failure ${status}` });
          return;
        }
        const r = await this.engine.subscribe(trackId, String(req.body));
        const key = randomUUID();
        state.sessions.set(key, { kind, id: r.subscriptionId });
        const origin = parseProbeTrackId(trackId)?.region;
        const headers: Record<string, string> = { location: `/whep/session/${key}` };
        if (origin !== undefined) headers["relay-path"] = origin === region ? region : `${origin}>${region}`;
        res.status(201).set(headers).type("application/sdp").send(r.answerSdp);
      } catch (err) {
        const code = (err as { code?: string }).code ?? "error";
        res.status(code === "not_found" ? 404 : 400).json({ error: code, detail: (err as Error).message });
      }
    });
    app.delete("/:kind/session/:key", async (req, res) => {
      const sess = state.sessions.get(req.params.key);
      if (sess === undefined) {
        res.status(404).json({ error: "not_found" });
        return;
      }
      state.sessions.delete(req.params.key);
      await (sess.kind === "whip" ? this.engine.unpublish(sess.id) : this.engine.unsubscribe(sess.id)).catch(() => undefined);
      res.status(204).end();
    });
  }
}
