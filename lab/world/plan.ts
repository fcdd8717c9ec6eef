// Planning a lab world: who listens where and which command line each child process gets.
// Pure — ports are handed in — so the shape of a world is unit-tested without starting it.
import type { Region } from "../../core/region.js";
import type { WanRoute } from "../wan/index.js";

/** 50 relay ports a region: a port per relay, and a 5-region mesh uses a handful each. */
export const RELAY_PORTS_PER_REGION = 50;

export interface WorldPorts {
  regions: ReadonlyMap<Region, { http: number; relay: { min: number; max: number } }>;
  analyzer: number;
  wanControl: number;
  /** First metrics port of the probe agents (one each, consecutive). */
  probeMetrics: ReadonlyMap<Region, number>;
}

export interface RegionArgsInput {
  region: Region;
  ports: WorldPorts;
  /** The emulator's routes from this region (peers, their relay mappings, the analyzer). */
  routes: readonly WanRoute[];
  behaviours: readonly string[];
  engine: string;
}

/** `relaywatch sfu …` for one region: peers and witness reached through the emulator. */
export function regionArgs(i: RegionArgsInput): string[] {
  const own = i.ports.regions.get(i.region);
  if (own === undefined) throw new Error(`no ports for ${i.region}`);
  const peerRoutes = i.routes.filter((r) => r.to !== "analyzer" && r.httpUrl !== null);
  const peers = peerRoutes.map((r) => `${r.to}=${r.httpUrl ?? ""}`).join(",");
  const maps = peerRoutes.filter((r) => r.relay !== null).map((r) => `${r.to}=${r.relay?.proxyBase ?? 0}:${r.relay?.targetMin ?? 0}`).join(",");
  const witness = i.routes.find((r) => r.to === "analyzer")?.httpUrl ?? null;
  const args = ["sfu", "--region", i.region, "--listen", `127.0.0.1:${own.http}`, "--relay-ports", `${own.relay.min}-${own.relay.max}`, "--engine", i.engine];
  if (peers !== "") args.push("--peers", peers);
  if (maps !== "") args.push("--peer-relay-map", maps);
  if (witness !== null) args.push("--witness", `${witness}/healthz`);
  if (i.behaviours.length > 0) args.push("--behaviour", i.behaviours.join(","));
  return args;
}

/** The analyzer's relaywatch.yaml: every region reached through the emulator's observer links. */
export function analyzerConfig(input: { regions: readonly { name: Region; url: string }[]; listenPort: number; storeDir: string | null; spoolDir: string; alertmanager?: readonly string[] }): Record<string, unknown> {
  return {
    ...(input.storeDir === null ? {} : { store: { url: input.storeDir, spoolDir: input.spoolDir } }),
    regions: input.regions.map((r) => ({ name: r.name, url: r.url })),
    analyzer: { listen: `127.0.0.1:${input.listenPort}` },
    alerting: { alertmanager: [...(input.alertmanager ?? [])], webhooks: [] },
  };
}

export interface ProbeArgsInput {
  region: Region;
  regions: readonly Region[];
  sfuUrl: string;
  /** Other regions' SFUs, nearest first: where the agent's sessions go when its region refuses them. */
  failover: readonly string[];
  analyzerUrl: string;
  intervalMs: number;
  rotateMs: number;
  metricsPort: number;
  /** The region's TURN server and the shared secret's file: the agent runs a TURN probe. */
  turn?: { url: string; secretFile: string };
}

/**
 * `relaywatch probe …` for one region's agent; it talks to its own region directly (a local
 * client), and — as that region's clients would — to the nearest other region when its own
 * refuses sessions.
 */
export function probeArgs(i: ProbeArgsInput): string[] {
  return [
    "probe", "--region", i.region, "--sfu", i.sfuUrl, "--analyzer", i.analyzerUrl, "--regions", i.regions.join(","),
    "--interval", `${i.intervalMs}ms`, "--rotate", `${i.rotateMs}ms`, "--metrics-port", String(i.metricsPort),
    ...(i.failover.length > 0 ? ["--failover", i.failover.join(",")] : []),
    ...(i.turn === undefined ? [] : ["--ice-server", i.turn.url, "--turn-secret-file", i.turn.secretFile]),
  ];
}

/** The other regions by one-way latency from `region`, nearest first (ties: in `regions` order). */
export function nearestFirst(region: Region, regions: readonly Region[], latencyMs: (a: Region, b: Region) => number): Region[] {
  return regions
    .filter((r) => r !== region)
    .map((r, i) => ({ r, i, ms: latencyMs(region, r) }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map((x) => x.r);
}
