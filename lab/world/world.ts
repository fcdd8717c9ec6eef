// A whole relaywatch world on one machine: the WAN emulator (in this process), a region
// node per region, the analyzer with the embedded store and a probe agent per region (child
// processes, as DESIGN's lab says). Used by `relaywatch up` and the scenario runner.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { alertsResponseSchema, overviewSchema, type Overview } from "../../core/analyzer-api.js";
import type { Alert } from "../../core/alert.js";
import { RelaywatchError } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { splitTrackId, type Region, type TrackId } from "../../core/region.js";
import { issueToken, type TokenPerm } from "../../sfu/auth/tokens.js";
import { Supervisor } from "../launcher/supervisor.js";
import { WanControlServer, WanEmulator, type LinkPatch } from "../wan/index.js";
import { analyzerConfig, nearestFirst, probeArgs, regionArgs, type WorldPorts } from "./plan.js";
import { allocateWorldPorts } from "./ports.js";

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");

export interface WorldLink {
  between: readonly [Region, Region];
  params: LinkPatch;
}

export interface WorldOptions {
  regions: readonly Region[];
  /** Where the store, the spool, configs and logs go. */
  dataDir: string;
  links?: readonly WorldLink[];
  /** One-way latency for pairs without a link entry (default: the emulator's realistic table). */
  latencyMs?: (a: Region, b: Region) => number;
  behaviours?: Readonly<Record<Region, readonly string[]>>;
  engine?: string;
  /** Per-region engine, overriding `engine` (a mixed werift/mediasoup mesh). */
  engines?: Readonly<Record<Region, string>>;
  probeIntervalMs?: number;
  probeRotateMs?: number;
  /** Start the probe agents (default true). */
  probes?: boolean;
  /** Alertmanager API base URLs the analyzer sends alerts to. */
  alertmanager?: readonly string[];
  logger?: Logger;
  onProgress?: (message: string) => void;
}

export class World {
  readonly ports: WorldPorts;
  readonly wan: WanEmulator;
  readonly wanControl: WanControlServer;
  readonly supervisor: Supervisor;
  readonly analyzerUrl: string;
  readonly logDir: string;
  private readonly adminToken: string;
  private readonly tokenSecret: string;
  private stopped = false;

  private constructor(init: { ports: WorldPorts; wan: WanEmulator; wanControl: WanControlServer; supervisor: Supervisor; adminToken: string; tokenSecret: string; logDir: string }) {
    this.ports = init.ports;
    this.wan = init.wan;
    this.wanControl = init.wanControl;
    this.supervisor = init.supervisor;
    this.adminToken = init.adminToken;
    this.tokenSecret = init.tokenSecret;
    this.logDir = init.logDir;
    this.analyzerUrl = `http://127.0.0.1:${init.ports.analyzer}`;
  }

  static async start(o: WorldOptions): Promise<World> {
    const progress = o.onProgress ?? (() => undefined);
    const logger = o.logger ?? silentLogger;
    const logDir = join(o.dataDir, "logs");
    mkdirSync(logDir, { recursive: true });
    const ports = await allocateWorldPorts(o.regions);
    progress(`WAN emulator between ${o.regions.length} regions`);
    const wan = await WanEmulator.start({
      regions: o.regions.map((name) => {
        const p = ports.regions.get(name);
        return { name, ...(p === undefined ? {} : { httpPort: p.http, relayPortRange: p.relay }) };
      }),
      observers: [{ name: "analyzer", httpPort: ports.analyzer }],
      links: (o.links ?? []).map((l) => ({ between: l.between, params: l.params })),
      ...(o.latencyMs === undefined ? {} : { latencyMs: o.latencyMs }),
      logger,
    });
    const wanControl = await WanControlServer.start({ emulator: wan, port: ports.wanControl });
    const supervisor = new Supervisor({ logger, logDir });
    const adminToken = randomBytes(24).toString("hex");
    const tokenSecret = randomBytes(32).toString("hex");
    const world = new World({ ports, wan, wanControl, supervisor, adminToken, tokenSecret, logDir });
    const secrets = {
      RELAYWATCH_TOKEN_SECRET: tokenSecret,
      RELAYWATCH_RELAY_SECRET: randomBytes(32).toString("hex"),
      RELAYWATCH_ADMIN_TOKEN: adminToken,
    };
    try {
      progress(`region nodes: ${o.regions.join(", ")}`);
      await Promise.all(
        o.regions.map((region) =>
          supervisor.start({
            name: region,
            command: process.execPath,
            args: [BIN, ...regionArgs({ region, ports, routes: wan.routesFrom(region), behaviours: o.behaviours?.[region] ?? [], engine: o.engines?.[region] ?? o.engine ?? "werift" }), "--log-level", "warn"],
            env: secrets,
            readyUrl: `${world.regionUrl(region)}/healthz`,
          }),
        ),
      );
      progress("analyzer with the embedded store");
      const configFile = join(o.dataDir, "analyzer.yaml");
      const config = analyzerConfig({
        regions: o.regions.map((name) => ({ name, url: wan.route("analyzer", name).httpUrl ?? "" })),
        listenPort: ports.analyzer,
        storeDir: join(o.dataDir, "clickhouse"),
        spoolDir: join(o.dataDir, "spool"),
        ...(o.alertmanager === undefined ? {} : { alertmanager: o.alertmanager }),
      });
      writeFileSync(configFile, stringify(config));
      await supervisor.start({ name: "analyzer", command: process.execPath, args: [BIN, "analyze", "--config", configFile, "--log-level", "warn"], readyUrl: `${world.analyzerUrl}/healthz` }, 30_000);
      if (o.probes !== false) {
        progress(`probe agents: ${o.regions.length}`);
        await Promise.all(
          o.regions.map((region) =>
            supervisor.start({
              name: `probe-${region}`,
              command: process.execPath,
              args: [BIN, ...probeArgs({
                region, regions: o.regions, sfuUrl: world.regionUrl(region), analyzerUrl: world.analyzerUrl,
                failover: nearestFirst(region, o.regions, (a, b) => wan.getLink(a, b).latencyMs).map((r) => world.regionUrl(r)),
                intervalMs: o.probeIntervalMs ?? 1000, rotateMs: o.probeRotateMs ?? 30_000, metricsPort: ports.probeMetrics.get(region) ?? 0,
              }), "--log-level", "warn"],
              env: { RELAYWATCH_TOKEN_SECRET: secrets.RELAYWATCH_TOKEN_SECRET },
              readyUrl: `http://127.0.0.1:${ports.probeMetrics.get(region) ?? 0}/metrics`,
            }),
          ),
        );
      }
    } catch (err) {
      await world.stop();
      throw err;
    }
    return world;
  }

  /** A region's own address (not through the emulator): for local clients and admin calls. */
  regionUrl(region: Region): string {
    const p = this.ports.regions.get(region);
    if (p === undefined) throw new RelaywatchError("not_found", `no region ${region} in this world`);
    return `http://127.0.0.1:${p.http}`;
  }

  /** A WHIP/WHEP bearer token for this world's regions (10 minutes). */
  token(perm: TokenPerm, track: TrackId): string {
    const { room, track: name } = splitTrackId(track);
    return issueToken(this.tokenSecret, { room, track: name, perm, exp: Date.now() + 600_000 });
  }

  /** Sets a region's legacy behaviours at run time (the admin API; replaces the set). */
  async setBehaviours(region: Region, behaviours: readonly string[]): Promise<void> {
    const res = await fetch(`${this.regionUrl(region)}/admin/behaviours`, {
      method: "PUT",
      headers: { authorization: `Bearer ${this.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ behaviours }),
    });
    if (!res.ok) throw new RelaywatchError("invalid_state", `setting behaviours of ${region} failed: HTTP ${res.status} ${await res.text()}`);
  }

  async alerts(): Promise<Alert[]> {
    const res = await fetch(`${this.analyzerUrl}/v1/alerts`);
    if (!res.ok) throw new RelaywatchError("invalid_state", `analyzer /v1/alerts: HTTP ${res.status}`);
    return alertsResponseSchema.parse(await res.json()).alerts;
  }

  async overview(): Promise<Overview> {
    const res = await fetch(`${this.analyzerUrl}/v1/overview`);
    if (!res.ok) throw new RelaywatchError("invalid_state", `analyzer /v1/overview: HTTP ${res.status}`);
    return overviewSchema.parse(await res.json());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Probes first (their last results reach the analyzer), then the analyzer (it flushes
    // the store), then the regions.
    const names = this.supervisor.info().filter((p) => p.running).map((p) => p.name);
    await Promise.all(names.filter((n) => n.startsWith("probe-")).map((n) => this.supervisor.kill(n, "SIGTERM")));
    if (names.includes("analyzer")) await this.supervisor.kill("analyzer", "SIGTERM");
    await this.supervisor.stopAll();
    await this.wanControl.close();
    await this.wan.close();
  }
}
