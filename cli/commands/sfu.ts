// `relaywatch sfu --region NAME --listen HOST:PORT --peers name=url,...`: runs one reference
// SFU region node (sfu/node/region-node.ts) on the chosen media engine until SIGINT/SIGTERM.
// Secrets come from the environment only (RELAYWATCH_TOKEN_SECRET, RELAYWATCH_RELAY_SECRET,
// RELAYWATCH_ADMIN_TOKEN), never from flags that would show in `ps`.
import { Command, Option } from "commander";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../core/process-metrics.js";
import { ConfigError } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import { createLogger, type LogLevel } from "../../core/logger.js";
import { regionSchema, type Region } from "../../core/region.js";
import { ENGINE_NAMES, createEngine, resolveEngineName, type EngineChoice, type EngineName } from "../../sfu/media/create-engine.js";
import { MIN_ADMIN_TOKEN_LENGTH, MIN_SECRET_LENGTH, announceOf } from "../../sfu/node/options.js";
import { resolvePeers, type PeerConfig, type RelayPortMap } from "../../sfu/node/peers.js";
import { RegionNode } from "../../sfu/node/region-node.js";
import { parseCorsOrigin, parseIceServer } from "../../sfu/http/whip-http.js";
import { parseBehaviours } from "../../sfu/relay/legacy-behaviours.js";
import { loadConfig } from "../config.js";
import { lifecycleAction, type Life } from "../lifecycle.js";
import { checkEngineAvailable, checkPortFree, parseHostPort, requiredSecret } from "../preflight.js";
import { startTracing } from "../tracing.js";
import { applyTls, tlsCaOption, tlsCertOption, tlsKeyOption, type TlsOpts } from "../tls-options.js";

interface SfuOpts extends TlsOpts {
  region: string;
  listen: string;
  announce?: string;
  peers?: string;
  config?: string;
  engine: string;
  behaviour: string[];
  relayPorts: string;
  peerRelayMap?: string;
  witness?: string;
  linger?: string;
  upstreamLost?: string;
  sessionConnectTimeout?: string;
  sessionMediaTimeout?: string;
  heartbeat?: string;
  corsOrigin: string[];
  iceServer: string[];
  logLevel: LogLevel;
}

/** Linux's default ephemeral range: where ICE sockets live anyway. */
const MEDIASOUP_WEBRTC_PORTS = { min: 32_768, max: 60_999 };

/** 40000-40099: a lab region's relay range; the WAN emulator maps ranges of up to 1024. */
const DEFAULT_RELAY_PORTS = "40000-40099";

export function sfuCommand(): Command {
  return new Command("sfu")
    .description("Run a reference SFU region node (WHIP/WHEP, inter-region relay, health, telemetry)")
    .requiredOption("--region <name>", "this region's name, e.g. eu-central")
    .option("--listen <host:port>", "HTTP listen address (0.0.0.0 for every interface, with --announce)", "127.0.0.1:7101")
    .option("--announce <address>", "the address clients and peers reach this host at: ICE candidates and relay media (default: the --listen host)")
    .addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(tlsCaOption())
    .option("--peers <list>", "peer regions as name=url,... (default: the config file's regions other than this one)")
    .option("-c, --config <file>", "relaywatch.yaml to read (default: ./relaywatch.yaml if present)")
    .addOption(new Option("--engine <name>", "media engine: werift (embedded), mediasoup (needs `npm run setup:mediasoup`), auto (mediasoup when available)").choices([...ENGINE_NAMES]).default("auto"))
    .option("--behaviour <list>", "legacy behaviours: announce-early, no-loop-guard, isolation=naive (repeatable or comma-separated)", collect, [])
    .option("--relay-ports <min-max>", "UDP port range for relay pipes", DEFAULT_RELAY_PORTS)
    .option("--peer-relay-map <list>", "how each peer's relay ports are reached, as name=proxyBase:targetMin,... (NAT or WAN emulator)")
    .option("--witness <url>", "independent witness for guarded isolation, e.g. the analyzer's /healthz")
    .option("--linger <duration>", "keep an idle relay this long after its last subscriber", "5s")
    .option("--upstream-lost <duration>", "tear down relays whose upstream region no heartbeat has reached for this long (subscribers re-locate)", "10s")
    .option("--session-connect-timeout <duration>", "end a WHIP/WHEP session not connected (ICE/DTLS, first packet) this long after its 201", "15s")
    .option("--session-media-timeout <duration>", "end a connected WHIP/WHEP session whose media stopped for this long", "30s")
    .option("--heartbeat <duration>", "heartbeat interval", "1s")
    .option("--cors-origin <origin>", "let browser pages on this origin (https://app.example, or *) publish and subscribe over WHIP/WHEP (repeatable)", collect, [])
    .option("--ice-server <uri>", "STUN/TURN server announced to WHIP/WHEP clients in Link headers, e.g. stun:stun.example:3478 or turn:user:pass@turn.example:3478?transport=udp (repeatable)", collect, [])
    .addOption(new Option("--log-level <level>", "log level").choices(["debug", "info", "warn", "error", "silent"]).default("info"))
    .addHelpText("after", "\nEnvironment: RELAYWATCH_TOKEN_SECRET and RELAYWATCH_RELAY_SECRET (required, ≥ 32 bytes);\nRELAYWATCH_ADMIN_TOKEN (≥ 16 characters) enables the admin API (/admin/behaviours, /admin/drain, /admin/relays/reset, /admin/isolation/override);\nMEDIASOUP_WORKER_BIN: the mediasoup worker binary to run (default: mediasoup's own).")
    .action(lifecycleAction({ kind: "service" }, runSfu));
}

/** Everything the node needs, validated, before anything is opened. */
interface SfuPlan {
  region: Region;
  listen: { host: string; port: number };
  peers: PeerConfig[];
  tokenSecret: string;
  relaySecret: string;
  adminToken: string | undefined;
  behaviours: string[];
  engineName: "werift" | "mediasoup";
  /** What --engine asked for, what runs, and why (logged at start, in /v1/state). */
  engineChoice: EngineChoice;
  relayPorts: { min: number; max: number };
  lingerMs: number;
  upstreamLostMs: number;
  sessionConnectTimeoutMs: number;
  sessionMediaTimeoutMs: number;
  heartbeatMs: number;
}

/** Flags, config, secrets, peers (its own region is not one), behaviours, port, engine: all checked first. */
async function planSfu(opts: SfuOpts): Promise<SfuPlan> {
  const region = parseRegion("--region", opts.region);
  const listen = parseHostPort("--listen", opts.listen);
  const peers = opts.peers === undefined
    ? loadConfig(opts.config).regions.filter((r) => r.name !== region).map((r) => ({ region: r.name, url: r.url }))
    : parsePeers(opts.peers);
  const maps = opts.peerRelayMap === undefined ? new Map<Region, RelayPortMap>() : parseRelayMaps(opts.peerRelayMap);
  for (const name of maps.keys()) if (!peers.some((p) => p.region === name)) throw new ConfigError("--peer-relay-map", name, "a region listed in --peers");
  const withMaps: PeerConfig[] = peers.map((p) => {
    const map = maps.get(p.region);
    return map === undefined ? p : { ...p, relayPortMap: map };
  });
  // The node's own checks (its region among its peers, duplicates, URLs), before an engine exists.
  try {
    resolvePeers(region, withMaps);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError("--peers", err.value, err.expected);
    throw err;
  }
  const behaviours = opts.behaviour.flatMap((b) => b.split(","));
  const parsed = parseBehaviours(behaviours);
  if (!parsed.ok) throw new ConfigError("--behaviour", parsed.error.value, parsed.error.expected);
  const adminToken = process.env["RELAYWATCH_ADMIN_TOKEN"];
  if (adminToken !== undefined && adminToken !== "" && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError("RELAYWATCH_ADMIN_TOKEN", "(hidden)", `a token of at least ${MIN_ADMIN_TOKEN_LENGTH} characters (or unset: no admin API)`);
  }
  const engineChoice = resolveEngineName(opts.engine as EngineName);
  const plan: SfuPlan = {
    region, listen, peers: withMaps, behaviours,
    tokenSecret: requiredSecret(process.env, "RELAYWATCH_TOKEN_SECRET", MIN_SECRET_LENGTH),
    relaySecret: requiredSecret(process.env, "RELAYWATCH_RELAY_SECRET", MIN_SECRET_LENGTH),
    adminToken: adminToken === "" ? undefined : adminToken,
    engineName: engineChoice.engine, engineChoice,
    relayPorts: parseRange("--relay-ports", opts.relayPorts),
    lingerMs: duration("--linger", opts.linger ?? "5s"),
    upstreamLostMs: duration("--upstream-lost", opts.upstreamLost ?? "10s"),
    sessionConnectTimeoutMs: duration("--session-connect-timeout", opts.sessionConnectTimeout ?? "15s"),
    sessionMediaTimeoutMs: duration("--session-media-timeout", opts.sessionMediaTimeout ?? "30s"),
    heartbeatMs: duration("--heartbeat", opts.heartbeat ?? "1s"),
  };
  checkEngineAvailable("--engine", plan.engineName, process.env["MEDIASOUP_WORKER_BIN"]);
  await checkPortFree("--listen", listen.host, listen.port);
  return plan;
}

async function runSfu(life: Life, opts: SfuOpts): Promise<void> {
  const p = await planSfu(opts);
  const announce = announceOf(opts.announce, p.listen.host, "--announce");
  const tls = applyTls(opts);
  const http = {
    corsOrigins: opts.corsOrigin.map((o) => parseCorsOrigin("--cors-origin", o)),
    iceServers: opts.iceServer.map((u) => parseIceServer("--ice-server", u)),
  };
  const logger = createLogger({ level: opts.logLevel, name: `sfu-${p.region}` });
  const tracing = await startTracing("sfu", { "relaywatch.region": p.region });
  if (tracing !== null) {
    logger.info({ endpoint: tracing.endpoint }, "exporting traces over OTLP/HTTP");
    life.closers.push("trace export", () => tracing.shutdown());
  }
  const registry = new Registry();
  registerProcessMetrics(registry, p.engineName);
  const engine = await life.closers.open("media engine", () => createEngine(p.engineChoice, {
    rtpPortRange: p.relayPorts,
    bindAddress: p.listen.host,
    ...(announce === undefined ? {} : { announcedIp: announce }),
    logger,
    // mediasoup's own default (10000-59999) would overlap relay ranges; ICE takes the
    // ephemeral range, as werift's port-0 sockets do.
    ...(p.engineName === "mediasoup" ? { webrtcPortRange: MEDIASOUP_WEBRTC_PORTS } : {}),
  }), (e) => e.close());
  const node = await life.closers.open("region node", () => RegionNode.start({
    region: p.region, listen: p.listen, tls, ...(announce === undefined ? {} : { announce }), peers: p.peers, engine, logger, registry,
    secrets: { tokenSecret: p.tokenSecret, relaySecret: p.relaySecret },
    behaviours: p.behaviours, lingerMs: p.lingerMs, upstreamLostMs: p.upstreamLostMs, heartbeatMs: p.heartbeatMs,
    sessionConnectTimeoutMs: p.sessionConnectTimeoutMs, sessionMediaTimeoutMs: p.sessionMediaTimeoutMs,
    ...(opts.witness === undefined ? {} : { witnessUrl: opts.witness }),
    admin: p.adminToken === undefined ? { enabled: false } : { enabled: true, token: p.adminToken }, http,
  }), (n) => n.close());
  process.stdout.write(`relaywatch sfu ${p.region} listening on ${node.url}\nmedia engine: ${p.engineChoice.engine} (${p.engineChoice.reason})\n`);
  await life.stopped;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseRegion(key: string, value: string): Region {
  if (!regionSchema.safeParse(value).success) throw new ConfigError(key, value, "a region name like eu-central");
  return value;
}

function parseRange(key: string, value: string): { min: number; max: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(value);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (m === null || min < 1024 || max > 65535 || min > max) throw new ConfigError(key, value, "MIN-MAX with 1024 <= MIN <= MAX <= 65535");
  return { min, max };
}

function parsePeers(value: string): PeerConfig[] {
  return value.split(",").filter((s) => s.trim() !== "").map((item) => {
    const i = item.indexOf("=");
    if (i <= 0) throw new ConfigError("--peers", item, "name=url, e.g. eu-west=http://127.0.0.1:7102");
    const region = parseRegion("--peers", item.slice(0, i).trim());
    const url = item.slice(i + 1).trim();
    if (!URL.canParse(url)) throw new ConfigError("--peers", url, "an http URL");
    return { region, url };
  });
}

function parseRelayMaps(value: string): Map<Region, RelayPortMap> {
  const out = new Map<Region, RelayPortMap>();
  for (const item of value.split(",").filter((s) => s.trim() !== "")) {
    const m = /^([a-z0-9-]+)=(\d{1,5}):(\d{1,5})$/.exec(item.trim());
    if (m === null) throw new ConfigError("--peer-relay-map", item, "name=proxyBase:targetMin, e.g. eu-west=51000:40100");
    out.set(parseRegion("--peer-relay-map", m[1] ?? ""), { proxyBase: Number(m[2]), targetMin: Number(m[3]) });
  }
  return out;
}

function duration(key: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new ConfigError(key, value, "a duration like 250ms, 3s or 1m");
  return ms;
}
