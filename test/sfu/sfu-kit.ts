// Helpers for the region node's cross-region tests and bench: start N regions (optionally
// behind the WAN emulator), real werift WHIP publishers and WHEP subscribers over HTTP,
// tokens, and bounded polling. Test code only.
import { afterEach } from "vitest";
import { randomInt } from "node:crypto";
import { TEST_PORT_WINDOWS, keyframeLeadByte } from "../conformance/engine-helpers.js";
import { createEngine } from "../../sfu/media/create-engine.js";
import { mediasoupAvailable } from "../../sfu/media/mediasoup/loader.js";
import { skipWithout } from "../support/real-part.js";
import { Registry } from "prom-client";
import type { Tracer } from "@opentelemetry/api";
import type { Clock } from "../../core/clock.js";
import type { Region, TrackId } from "../../core/region.js";
import type { RegionSnapshot, TrackEntry } from "../../core/sfu-state.js";
import { WanEmulator } from "../../lab/wan/index.js";
import { CODEC_PRESETS, WeriftPublisher, WeriftSubscriber, type CodecPreset } from "../../probes/client/werift-peer.js";
import { WeriftEngine } from "../../sfu/media/werift/werift-engine.js";
import { issueToken } from "../../sfu/auth/tokens.js";
import type { RegionNodeOptions } from "../../sfu/node/options.js";
import type { PeerConfig } from "../../sfu/node/peers.js";
import { RegionNode } from "../../sfu/node/region-node.js";

export const SECRETS = { tokenSecret: "test-token-secret-0123456789-abcdef", relaySecret: "test-relay-secret-0123456789-abcdef" } as const;
const RELAY_RANGE_SIZE = 64;

export function token(track: TrackId, perm: "publish" | "subscribe" = "subscribe", expMs = Date.now() + 600_000, secret: string = SECRETS.tokenSecret): string {
  const [room = "", name = ""] = track.split("/");
  return issueToken(secret, { room, track: name, perm, exp: expMs });
}

/** One-way ms for a cascade: A–B 10, B–C 2, A–C 30, so C is much nearer to B than to A. */
export function cascadeLatencyMs(x: string, y: string): number {
  const table: Record<string, number> = { "a|b": 10, "b|c": 2, "a|c": 30 };
  return table[[x, y].sort().join("|")] ?? 20;
}

export interface LabOptions {
  regions: readonly Region[];
  /** Put every inter-region path through the WAN emulator with these one-way latencies. */
  wan?: { latencyMs: (a: string, b: string) => number };
  node?: (region: Region) => Partial<RegionNodeOptions>;
  clock?: Clock;
  tracer?: (region: Region) => Tracer;
  /** With `wan`: the analyzer observer's HTTP port; each region's witness is its route there. */
  witnessPort?: number;
  /** Media engine of every region (default werift), or per region (a mixed mesh). */
  engine?: "werift" | "mediasoup" | ((region: Region) => "werift" | "mediasoup");
}

/**
 * The engines here: werift always, mediasoup when its worker is built. In CI the worker must
 * be there (real-part.ts: a missing one fails the suites that import this kit, never a silent
 * werift-only run).
 */
export const ENGINES: readonly ("werift" | "mediasoup")[] = skipWithout(mediasoupAvailable().ok, "the mediasoup worker (npm run setup:mediasoup)") ? ["werift"] : ["werift", "mediasoup"];

/** The engine `--engine auto` runs here (issue 17: mediasoup, the reference, when built): for end-to-end tests. */
export const REFERENCE_ENGINE: "werift" | "mediasoup" = ENGINES.includes("mediasoup") ? "mediasoup" : "werift";

/** ICE ports for mediasoup workers: the ephemeral range, as werift's port-0 sockets use. */
export const MEDIASOUP_WEBRTC_PORTS = { min: 32_768, max: 60_999 };

export interface Lab {
  nodes: Map<Region, RegionNode>;
  registries: Map<Region, Registry>;
  emu: WanEmulator | null;
  node(region: Region): RegionNode;
  close(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  const nodes = new Map<Region, RegionNode>();
  const registries = new Map<Region, Registry>();
  const ranges = new Map<Region, { min: number; max: number }>();
  // The tests' band (test/conformance/engine-helpers.ts): clear of the WAN emulator's proxies.
  const base = randomInt(TEST_PORT_WINDOWS.low, TEST_PORT_WINDOWS.low + TEST_PORT_WINDOWS.size - opts.regions.length * RELAY_RANGE_SIZE);
  let emu: WanEmulator | null = null;
  const lab: Lab = {
    nodes, registries, emu,
    node: (r) => {
      const n = nodes.get(r);
      if (n === undefined) throw new Error(`no region ${r}`);
      return n;
    },
    close: async () => {
      await Promise.all([...nodes.values()].map((n) => n.close()));
      await emu?.close();
    },
  };
  try {
    for (const [i, region] of opts.regions.entries()) {
      const range = { min: base + i * RELAY_RANGE_SIZE, max: base + (i + 1) * RELAY_RANGE_SIZE - 1 };
      ranges.set(region, range);
      const registry = new Registry();
      registries.set(region, registry);
      const kind = typeof opts.engine === "function" ? opts.engine(region) : opts.engine;
      const engine = kind === "mediasoup"
        ? await createEngine("mediasoup", { rtpPortRange: range, webrtcPortRange: MEDIASOUP_WEBRTC_PORTS, workers: 1, ...(opts.clock === undefined ? {} : { clock: opts.clock }) })
        : new WeriftEngine({ rtpPortRange: range, ...(opts.clock === undefined ? {} : { clock: opts.clock }) });
      nodes.set(region, await RegionNode.start({
        region, engine, registry, secrets: SECRETS, heartbeatMs: 200, heartbeatTimeoutMs: 150, lingerMs: 300, antiEntropyMs: 1000,
        ...(opts.clock === undefined ? {} : { clock: opts.clock }),
        ...(opts.tracer === undefined ? {} : { tracer: opts.tracer(region) }),
        ...opts.node?.(region),
      }));
    }
    if (opts.wan !== undefined) {
      emu = await WanEmulator.start({
        regions: opts.regions.map((name) => ({ name, httpPort: lab.node(name).port, relayPortRange: ranges.get(name) })),
        observers: [{ name: "analyzer", ...(opts.witnessPort === undefined ? {} : { httpPort: opts.witnessPort }) }],
        latencyMs: opts.wan.latencyMs,
      });
      lab.emu = emu;
      for (const region of opts.regions) {
        const peers: PeerConfig[] = emu.routesFrom(region).filter((r) => r.to !== "analyzer" && r.httpUrl !== null).map((r) => ({
          region: r.to, url: r.httpUrl ?? "",
          ...(r.relay === null ? {} : { relayPortMap: { proxyBase: r.relay.proxyBase, targetMin: r.relay.targetMin, targetMax: r.relay.targetMax, host: r.relay.host } }),
        }));
        lab.node(region).setPeers(peers);
        const witness = opts.witnessPort === undefined ? null : emu.route(region, "analyzer").httpUrl;
        if (witness !== null) lab.node(region).setWitnessUrl(`${witness}/healthz`);
      }
    } else {
      for (const region of opts.regions) {
        lab.node(region).setPeers(opts.regions.filter((r) => r !== region).map((r) => ({ region: r, url: lab.node(r).url })));
      }
    }
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}

export interface LabScope {
  /** Starts the lab of this test; it is closed after the test. */
  start(opts: LabOptions): Promise<Lab>;
  /** Closes `c` after the test (newest first, before the lab); returns it. */
  defer<T extends { close(): Promise<void> }>(c: T): T;
}

/** For a describe block: an afterEach closes what each test deferred, then its lab. */
export function labScope(): LabScope {
  let lab: Lab | null = null;
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await lab?.close();
    lab = null;
  });
  return {
    start: async (opts) => (lab = await startLab(opts)),
    defer: (c) => {
      closers.push(c);
      return c;
    },
  };
}

export interface Published {
  publisher: WeriftPublisher;
  location: string;
  /** Sends `count` packets at `pps`, resolving when done. */
  send(count: number, pps?: number): Promise<void>;
  /** Sends continuously until stop(). */
  stream(pps?: number): { stop(): void; close(): Promise<void> };
  close(): Promise<void>;
}

export async function publish(node: RegionNode, track: TrackId, codec: CodecPreset = CODEC_PRESETS.vp8): Promise<Published> {
  const publisher = new WeriftPublisher(codec);
  const offer = await publisher.createOffer();
  const res = await fetch(`${node.url}/whip/${track}`, {
    method: "POST", body: offer, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track, "publish")}` },
  });
  if (res.status !== 201) {
    await publisher.close();
    throw new Error(`WHIP ${res.status}: ${await res.text()}`);
  }
  await publisher.acceptAnswer(await res.text());
  await publisher.waitConnected();
  // Every packet parses as a keyframe (as in the conformance suite), so an SFU that starts
  // a new consumer on a keyframe (mediasoup) forwards from the first packet on.
  const payload = new Uint8Array(200).fill(7);
  payload.set([keyframeLeadByte(codec.mimeType), 0, 0, 0]);
  const timers = new Set<NodeJS.Timeout>();
  return {
    publisher,
    location: res.headers.get("location") ?? "",
    send: (count, pps = 200) => new Promise((resolve) => {
      let sent = 0;
      const t = setInterval(() => {
        if (publisher.closed) sent = count;
        else publisher.send(payload);
        if (++sent >= count) {
          clearInterval(t);
          timers.delete(t);
          resolve();
        }
      }, 1000 / pps);
      timers.add(t);
    }),
    stream: (pps = 100) => {
      const t = setInterval(() => {
        if (!publisher.closed) publisher.send(payload);
      }, 1000 / pps);
      timers.add(t);
      const stop = (): void => {
        clearInterval(t);
        timers.delete(t);
      };
      return { stop, close: () => { stop(); return Promise.resolve(); } };
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      await publisher.close();
    },
  };
}

export interface Subscribed {
  status: number;
  relayPath: string | null;
  location: string;
  body: string;
  subscriber: WeriftSubscriber;
  close(): Promise<void>;
}

export interface PreparedSubscriber {
  subscriber: WeriftSubscriber;
  offer: string;
}

/** A subscriber with its offer built (ICE gathered), so several can be sent at the same instant. */
export async function prepareSubscriber(kind: "video" | "audio" = "video"): Promise<PreparedSubscriber> {
  const subscriber = new WeriftSubscriber(kind);
  return { subscriber, offer: await subscriber.createOffer() };
}

/** WHEP subscribe over HTTP; on a non-201 the subscriber is closed and status/body tell why. */
export async function subscribe(
  node: RegionNode,
  track: TrackId,
  kind: "video" | "audio" = "video",
  headers: Record<string, string> = {},
  prepared?: PreparedSubscriber,
): Promise<Subscribed> {
  const { subscriber, offer } = prepared ?? (await prepareSubscriber(kind));
  const res = await fetch(`${node.url}/whep/${track}`, {
    method: "POST", body: offer, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track)}`, ...headers },
  });
  const body = await res.text();
  if (res.status === 201) {
    await subscriber.acceptAnswer(body);
  } else {
    await subscriber.close();
  }
  const location = res.headers.get("location") ?? "";
  return {
    status: res.status, relayPath: res.headers.get("relay-path"), location, body, subscriber,
    close: async () => {
      if (location !== "") {
        await fetch(`${node.url}${location}`, { method: "DELETE", headers: { authorization: `Bearer ${token(track)}` } }).catch(() => undefined);
      }
      await subscriber.close();
    },
  };
}

export async function state(node: RegionNode): Promise<RegionSnapshot> {
  const res = await fetch(`${node.url}/v1/state`);
  return (await res.json()) as RegionSnapshot;
}

export async function trackIn(node: RegionNode, track: TrackId): Promise<TrackEntry | undefined> {
  return (await state(node)).tracks.find((t) => t.track === track);
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until every region has measured an RTT to every other (the locator needs them). */
/**
 * Every peer reachable with an RTT. With `latencyMs` (the WAN's one-way latencies), also wait
 * until each node's measured RTTs order its peers as the WAN does: the first heartbeat carries
 * connection setup and, on a loaded machine, a peer's start-up stall, so a cascade test that
 * subscribes right away could see the far region measured as the near one and relay past it.
 */
export async function waitForMesh(lab: Lab, timeoutMs = 5000, latencyMs?: (a: string, b: string) => number): Promise<void> {
  await waitFor(() => [...lab.nodes.values()].every((n) => n.health.peers().every((p) => p.reachable && p.rttMs !== null)), timeoutMs, "every peer measured");
  if (latencyMs === undefined) return;
  const ordered = (self: Region, node: RegionNode): boolean => {
    const rtt = new Map(node.health.peers().map((p) => [p.region, p.rttMs ?? Number.POSITIVE_INFINITY]));
    return [...rtt.keys()].every((x) => [...rtt.keys()].every((y) => latencyMs(self, x) >= latencyMs(self, y) || (rtt.get(x) ?? 0) < (rtt.get(y) ?? 0)));
  };
  await waitFor(() => [...lab.nodes].every(([self, node]) => ordered(self, node)), 15_000, "measured RTTs ordered as the WAN's latencies");
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  let sum = 0;
  for (const v of m?.values ?? []) {
    if (Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)) sum += v.value;
  }
  return sum;
}
