// A whole relaywatch world on one machine: the WAN emulator (in this process), a region
// node per region, the analyzer with the embedded store and a probe agent per region (child
// processes, as DESIGN's lab says). Used by `relaywatch up` and the scenario runner.
// start() builds it in dependency order on one stack of closers: a failed step stops what
// was started before it, and stop() unwinds the same stack.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { alertsResponseSchema, overviewSchema, type Overview } from "../../core/analyzer-api.js";
import type { Alert } from "../../core/alert.js";
import { Closers } from "../../core/closers.js";
import { RelaywatchError } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { splitTrackId, type Region, type TrackId } from "../../core/region.js";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { issueToken, type TokenPerm } from "../../sfu/auth/tokens.js";
import { DEFAULT_STOP_GRACE_MS, Supervisor } from "../launcher/supervisor.js";
import { WanControlServer, WanEmulator, type LinkPatch } from "../wan/index.js";
import { analyzerConfig, nearestFirst, probeArgs, regionArgs, type WorldPorts } from "./plan.js";
import { allocateWorldPorts, freePort } from "./ports.js";
import { findTurnserver, TurnFleet } from "./turn.js";
import { packageRoot } from "../../core/package-root.js";

/** The relaywatch executable of this checkout or installed package (it runs dist/ when installed). */
const BIN = join(packageRoot(), "cli", "bin.mjs");
/** The analyzer token of a world, in its data directory. */
export const ANALYZER_TOKEN_FILE = "analyzer.token";

export interface WorldLink {
  between: readonly [Region, Region];
  params: LinkPatch;
}

/**
 * "auto": each region node runs mediasoup when its worker is built (`npm run setup:mediasoup`),
 * else werift (issue 17: mediasoup is the reference engine; the end-to-end suite runs on it).
 */
export const DEFAULT_WORLD_ENGINE = "auto";

export interface WorldOptions {
  regions: readonly Region[];
  /** Where the store, the spool, configs and logs go. */
  dataDir: string;
  links?: readonly WorldLink[];
  /** One-way latency for pairs without a link entry (default: the emulator's realistic table). */
  latencyMs?: (a: Region, b: Region) => number;
  behaviours?: Readonly<Record<Region, readonly string[]>>;
  /** Media engine of every region node; DEFAULT_WORLD_ENGINE when absent. */
  engine?: string;
  /** Per-region engine, overriding `engine` (a mixed werift/mediasoup mesh). */
  engines?: Readonly<Record<Region, string>>;
  probeIntervalMs?: number;
  probeRotateMs?: number;
  /** Start the probe agents (default true). */
  probes?: boolean;
  /** One coturn per region and TURN probes (default: when turnserver is installed; without it the world says so and runs without). */
  turn?: boolean;
  /** Alertmanager API base URLs the analyzer sends alerts to. */
  alertmanager?: readonly string[];
  logger?: Logger;
  onProgress?: (message: string) => void;
  /** Aborted: the world stops (while starting, start() rejects once what it started is stopped). */
  signal?: AbortSignal;
}

/** Secrets a world's processes share, fresh for each world (environment only, never flags). */
interface WorldSecrets {
  RELAYWATCH_TOKEN_SECRET: string;
  RELAYWATCH_RELAY_SECRET: string;
  RELAYWATCH_ADMIN_TOKEN: string;
  /** The analyzer's token: the lab's analyzer requires it (read API) and signs the agents' region tokens with it. */
  RELAYWATCH_ANALYZER_TOKEN: string;
}

/** 2 s beyond the supervisor's SIGTERM grace: its SIGKILL fallback gets to run before we give up waiting. */
const PROCESS_CLOSE_TIMEOUT_MS = DEFAULT_STOP_GRACE_MS + 2_000;

export class World {
  readonly ports: WorldPorts;
  readonly wan: WanEmulator;
  readonly wanControl: WanControlServer;
  readonly supervisor: Supervisor;
  readonly analyzerUrl: string;
  readonly logDir: string;
  private readonly secrets: WorldSecrets;
  private readonly closers: Closers;
  /** The regions' TURN servers (null: none, turnserver not installed or turn: false). */
  turnFleet: TurnFleet | null = null;

  private constructor(init: { ports: WorldPorts; wan: WanEmulator; wanControl: WanControlServer; supervisor: Supervisor; secrets: WorldSecrets; logDir: string; closers: Closers }) {
    this.ports = init.ports;
    this.wan = init.wan;
    this.wanControl = init.wanControl;
    this.supervisor = init.supervisor;
    this.secrets = init.secrets;
    this.logDir = init.logDir;
    this.closers = init.closers;
    this.analyzerUrl = `http://127.0.0.1:${init.ports.analyzer}`;
  }

  /**
   * Starts the world in dependency order — WAN emulator, its control API, region nodes,
   * analyzer, probe agents — pushing each part's close as it starts. If a step fails,
   * whatever was started is stopped (in reverse) before the error is passed on.
   */
  static async start(o: WorldOptions): Promise<World> {
    const closers = new Closers();
    const { signal } = o;
    if (signal !== undefined) {
      signal.throwIfAborted();
      const onAbort = (): void => { void closers.closeAll(); };
      signal.addEventListener("abort", onAbort, { once: true });
      closers.push("abort listener", () => { signal.removeEventListener("abort", onAbort); });
    }
    try {
      const world = await World.startNetwork(o, closers);
      await world.startRegions(o);
      await world.startAnalyzer(o);
      await world.startTurn(o);
      if (o.probes !== false) await world.startProbes(o);
      // A step that finished after an abort had already stopped everything: report the abort.
      signal?.throwIfAborted();
      return world;
    } catch (err) {
      await closers.closeAll();
      // After an abort, steps fail because their parts were stopped under them: the abort is the cause.
      throw signal?.aborted === true ? signal.reason : err;
    }
  }

  private static async startNetwork(o: WorldOptions, closers: Closers): Promise<World> {
    const logger = o.logger ?? silentLogger;
    const logDir = join(o.dataDir, "logs");
    mkdirSync(logDir, { recursive: true });
    const ports = await allocateWorldPorts(o.regions);
    (o.onProgress ?? (() => undefined))(`WAN emulator between ${o.regions.length} regions`);
    const wan = await closers.open("WAN emulator", () => WanEmulator.start({
      regions: o.regions.map((name) => {
        const p = ports.regions.get(name);
        return { name, ...(p === undefined ? {} : { httpPort: p.http, relayPortRange: p.relay }) };
      }),
      observers: [{ name: "analyzer", httpPort: ports.analyzer }],
      links: (o.links ?? []).map((l) => ({ between: l.between, params: l.params })),
      ...(o.latencyMs === undefined ? {} : { latencyMs: o.latencyMs }),
      logger,
    }), (w) => w.close());
    const wanControl = await closers.open("WAN control API", () => WanControlServer.start({ emulator: wan, port: ports.wanControl }), (c) => c.close());
    const supervisor = new Supervisor({ logger, logDir });
    // Whatever is still running last (region nodes; anything half-started): SIGTERM, then SIGKILL.
    closers.push("processes", () => supervisor.stopAll(), { timeoutMs: PROCESS_CLOSE_TIMEOUT_MS });
    const secrets: WorldSecrets = {
      RELAYWATCH_TOKEN_SECRET: randomBytes(32).toString("hex"),
      RELAYWATCH_RELAY_SECRET: randomBytes(32).toString("hex"),
      RELAYWATCH_ADMIN_TOKEN: randomBytes(24).toString("hex"),
      RELAYWATCH_ANALYZER_TOKEN: randomBytes(24).toString("hex"),
    };
    return new World({ ports, wan, wanControl, supervisor, secrets, logDir, closers });
  }

  private async startRegions(o: WorldOptions): Promise<void> {
    o.onProgress?.(`region nodes: ${o.regions.join(", ")}`);
    await Promise.all(
      o.regions.map((region) =>
        this.supervisor.start({
          name: region,
          command: process.execPath,
          args: [BIN, ...regionArgs({ region, ports: this.ports, routes: this.wan.routesFrom(region), behaviours: o.behaviours?.[region] ?? [], engine: o.engines?.[region] ?? o.engine ?? DEFAULT_WORLD_ENGINE }), "--log-level", "warn"],
          env: { RELAYWATCH_TOKEN_SECRET: this.secrets.RELAYWATCH_TOKEN_SECRET, RELAYWATCH_RELAY_SECRET: this.secrets.RELAYWATCH_RELAY_SECRET, RELAYWATCH_ADMIN_TOKEN: this.secrets.RELAYWATCH_ADMIN_TOKEN },
          readyUrl: `${this.regionUrl(region)}/healthz`,
        }),
      ),
    );
  }

  private async startAnalyzer(o: WorldOptions): Promise<void> {
    o.onProgress?.("analyzer with the embedded store");
    const configFile = join(o.dataDir, "analyzer.yaml");
    const config = analyzerConfig({
      regions: o.regions.map((name) => ({ name, url: this.wan.route("analyzer", name).httpUrl ?? "" })),
      listenPort: this.ports.analyzer,
      storeDir: join(o.dataDir, "clickhouse"),
      spoolDir: join(o.dataDir, "spool"),
      ...(o.alertmanager === undefined ? {} : { alertmanager: o.alertmanager }),
    });
    writeFileSync(configFile, stringify(config));
    // For people and tools next to the lab (relaywatch tui, curl): RELAYWATCH_ANALYZER_TOKEN_FILE=<dataDir>/analyzer.token.
    // The analyzer gets the regions' admin token: on-call actions (POST /v1/actions) call their admin APIs.
    writeFileSync(join(o.dataDir, ANALYZER_TOKEN_FILE), `${this.analyzerToken}\n`, { mode: 0o600 });
    // Stopped before the regions, after the probes: it flushes the store with their last results in.
    this.closers.push("analyzer", () => this.supervisor.kill("analyzer", "SIGTERM"), { timeoutMs: PROCESS_CLOSE_TIMEOUT_MS });
    await this.supervisor.start({ name: "analyzer", command: process.execPath, args: [BIN, "analyze", "--config", configFile, "--log-level", "warn"], env: { RELAYWATCH_ANALYZER_TOKEN: this.analyzerToken, RELAYWATCH_ADMIN_TOKEN: this.secrets.RELAYWATCH_ADMIN_TOKEN }, readyUrl: `${this.analyzerUrl}/healthz` }, 30_000);
  }

  private async startProbes(o: WorldOptions): Promise<void> {
    o.onProgress?.(`probe agents: ${o.regions.length}`);
    const names = o.regions.map((region) => `probe-${region}`);
    // Stopped first: their last results still reach the analyzer.
    this.closers.push("probe agents", () => Promise.all(names.map((n) => this.supervisor.kill(n, "SIGTERM"))).then(() => undefined), { timeoutMs: PROCESS_CLOSE_TIMEOUT_MS });
    await Promise.all(
      o.regions.map((region) =>
        this.supervisor.start({
          name: `probe-${region}`,
          command: process.execPath,
          args: [BIN, ...probeArgs({
            region, regions: o.regions, sfuUrl: this.regionUrl(region), analyzerUrl: this.analyzerUrl,
            failover: nearestFirst(region, o.regions, (a, b) => this.wan.getLink(a, b).latencyMs).map((r) => this.regionUrl(r)),
            intervalMs: o.probeIntervalMs ?? 1000, rotateMs: o.probeRotateMs ?? 30_000, metricsPort: this.ports.probeMetrics.get(region) ?? 0,
            ...(this.turnFleet === null ? {} : { turn: { url: this.turnFleet.url(region), secretFile: this.turnFleet.secretFile } }),
          }), "--spool-dir", join(o.dataDir, "probe-spool", region), "--log-level", "warn"],
          // Each agent holds only its own region's token: it can report pairs into its region, nothing else.
          env: { RELAYWATCH_TOKEN_SECRET: this.secrets.RELAYWATCH_TOKEN_SECRET, RELAYWATCH_ANALYZER_TOKEN: issueAgentToken(this.analyzerToken, region) },
          readyUrl: `http://127.0.0.1:${this.ports.probeMetrics.get(region) ?? 0}/metrics`,
        }),
      ),
    );
  }

  /** One coturn per region (lab/world/turn.ts), when wanted and installed; says so when it is not. */
  private async startTurn(o: WorldOptions): Promise<void> {
    if (o.turn === false) return;
    const binary = findTurnserver();
    if (binary === null) {
      o.onProgress?.("turnserver (coturn) is not installed: running without TURN servers and TURN probes");
      if (o.turn === true) throw new RelaywatchError("not_found", "turn: true but turnserver (Debian package coturn) is not installed");
      return;
    }
    o.onProgress?.(`TURN servers (coturn): ${o.regions.length}`);
    const dir = join(o.dataDir, "turn");
    mkdirSync(dir, { recursive: true });
    this.turnFleet = await TurnFleet.start(
      { regions: o.regions, dir, binary, start: (spec) => this.supervisor.start(spec), stop: (name) => this.supervisor.kill(name, "SIGTERM"), port: freePort },
      randomBytes(24).toString("hex"),
    );
  }

  /** Stops a region's TURN server (scenario `turnDown`). */
  async turnDown(region: Region): Promise<void> {
    if (this.turnFleet === null) throw new RelaywatchError("invalid_state", "this world runs no TURN servers (turnserver not installed)");
    await this.turnFleet.down(region);
  }

  /** Starts a region's TURN server again (scenario `turnUp`, or the end of a `turnDown … for`). */
  async turnUp(region: Region): Promise<void> {
    if (this.turnFleet === null) throw new RelaywatchError("invalid_state", "this world runs no TURN servers (turnserver not installed)");
    await this.turnFleet.up(region);
  }

  /** A region's own address (not through the emulator): for local clients and admin calls. */
  regionUrl(region: Region): string {
    const p = this.ports.regions.get(region);
    if (p === undefined) throw new RelaywatchError("not_found", `no region ${region} in this world`);
    return `http://127.0.0.1:${p.http}`;
  }

  /** The analyzer's bearer token (read API, TUI); probe agents get region tokens signed with it. */
  get analyzerToken(): string {
    return this.secrets.RELAYWATCH_ANALYZER_TOKEN;
  }

  /** A WHIP/WHEP bearer token for this world's regions (10 minutes). */
  token(perm: TokenPerm, track: TrackId): string {
    const { room, track: name } = splitTrackId(track);
    return issueToken(this.secrets.RELAYWATCH_TOKEN_SECRET, { room, track: name, perm, exp: Date.now() + 600_000 });
  }

  /** Sets a region's legacy behaviours at run time (the admin API; replaces the set). */
  async setBehaviours(region: Region, behaviours: readonly string[]): Promise<void> {
    const res = await fetch(`${this.regionUrl(region)}/admin/behaviours`, {
      method: "PUT",
      headers: { authorization: `Bearer ${this.secrets.RELAYWATCH_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ behaviours }),
    });
    if (!res.ok) throw new RelaywatchError("invalid_state", `setting behaviours of ${region} failed: HTTP ${res.status} ${await res.text()}`);
  }

  async alerts(): Promise<Alert[]> {
    const res = await fetch(`${this.analyzerUrl}/v1/alerts`, { headers: { authorization: `Bearer ${this.analyzerToken}` } });
    if (!res.ok) throw new RelaywatchError("invalid_state", `analyzer /v1/alerts: HTTP ${res.status}`);
    return alertsResponseSchema.parse(await res.json()).alerts;
  }

  async overview(): Promise<Overview> {
    const res = await fetch(`${this.analyzerUrl}/v1/overview`, { headers: { authorization: `Bearer ${this.analyzerToken}` } });
    if (!res.ok) throw new RelaywatchError("invalid_state", `analyzer /v1/overview: HTTP ${res.status}`);
    return overviewSchema.parse(await res.json());
  }

  /** Stops everything in reverse order of start: probes, analyzer, region nodes, WAN control, emulator. Idempotent. */
  async stop(): Promise<void> {
    await this.closers.closeAll();
  }
}
