// scriptedAnalyzerServer: a stand-in for the analyzer's live API (GET /v1/overview,
// /v1/alerts, /v1/tracks, /v1/tracks/:room/:track, SSE /v1/stream, bearer token) serving
// whatever the test scripts, over real loopback HTTP. It exists only until the real
// analyzer lands; it speaks the contract in core/analyzer-api.ts and nothing more (it
// ignores `?track=`: every stream gets every event).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Alert } from "../../../core/alert.js";
import type { AnalyzerStreamEvent, Overview, TrackGraph, TracksList } from "../../../core/analyzer-api.js";
import { SSE_HEADERS, sseComment, sseEvent } from "../../../core/sse.js";

export interface ScriptedAnalyzerOptions {
  token?: string;
  /** Push the overview (with a fresh `ts`) every this many ms, as the analyzer's sweep does. */
  overviewEveryMs?: number;
  /** Bind this port (to restart on the same URL). */
  port?: number;
}

export interface ScriptedAnalyzer {
  readonly url: string;
  readonly port: number;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** The query string of each /v1/stream request. */
  readonly streamQueries: string[];
  overview: Overview;
  alerts: Alert[];
  tracks: TracksList["tracks"];
  graphs: Map<string, TrackGraph>;
  /** Sends one event to every open stream (and folds it into the served state). */
  push(ev: AnalyzerStreamEvent): void;
  streams(): number;
  /** Stops listening and cuts every connection, as a crashed analyzer would. */
  close(): Promise<void>;
}

export async function scriptedAnalyzerServer(initial: { overview: Overview; alerts?: Alert[]; tracks?: TracksList["tracks"]; graphs?: TrackGraph[] }, options: ScriptedAnalyzerOptions = {}): Promise<ScriptedAnalyzer> {
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const streamQueries: string[] = [];
  let timer: NodeJS.Timeout | undefined;

  const state = {
    overview: initial.overview,
    alerts: initial.alerts ?? [],
    tracks: initial.tracks ?? [],
    graphs: new Map((initial.graphs ?? []).map((g) => [g.track, g])),
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (path === "/v1/stream") streamQueries.push(url.search);
    requests.push(path);
    // As the real analyzer: /healthz answers without a token (the CLI's start-up check calls it).
    if (path === "/healthz") {
      send(res, 200, { ok: true });
      return;
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, 401, { error: "unauthorized" });
      return;
    }
    if (path === "/v1/overview") send(res, 200, { ...state.overview, ts: options.overviewEveryMs === undefined ? state.overview.ts : Date.now() });
    else if (path === "/v1/alerts") send(res, 200, { ts: Date.now(), alerts: state.alerts });
    else if (path === "/v1/tracks") send(res, 200, { ts: Date.now(), tracks: state.tracks });
    else if (path.startsWith("/v1/tracks/")) {
      const id = path.slice("/v1/tracks/".length).split("/").map(decodeURIComponent).join("/");
      const g = state.graphs.get(id);
      if (g === undefined) send(res, 404, { error: "not_found" });
      else send(res, 200, g);
    } else if (path === "/v1/stream") {
      res.writeHead(200, SSE_HEADERS);
      res.write(sseComment("scripted analyzer stream"));
      streams.add(res);
      res.on("close", () => streams.delete(res));
    } else send(res, 404, { error: "not_found" });
  };

  const server: Server = createServer(handle);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const push = (ev: AnalyzerStreamEvent): void => {
    if (ev.type === "overview") state.overview = ev.overview;
    else if (ev.type === "alert") state.alerts = [ev.alert, ...state.alerts.filter((a) => a.fingerprint !== ev.alert.fingerprint)];
    else state.graphs.set(ev.graph.track, ev.graph);
    const frame = sseEvent({ event: ev.type, data: JSON.stringify(ev) });
    for (const s of streams) s.write(frame);
  };

  if (options.overviewEveryMs !== undefined) {
    timer = setInterval(() => {
      push({ type: "overview", overview: { ...state.overview, ts: Date.now() } });
    }, options.overviewEveryMs);
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    streamQueries,
    get overview() {
      return state.overview;
    },
    set overview(o) {
      state.overview = o;
    },
    get alerts() {
      return state.alerts;
    },
    set alerts(a) {
      state.alerts = a;
    },
    get tracks() {
      return state.tracks;
    },
    set tracks(t) {
      state.tracks = t;
    },
    graphs: state.graphs,
    push,
    streams: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const s of streams) s.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
