// `relaywatch probe`: the synthetic probe agent of one region (probes/agent.ts). Wires the
// agent to its sinks (analyzer ingest, store, stdout), its metrics endpoint and signals.
// Continuous by default; `--once` runs one round, prints every pair's result and exits 0
// only when every pair is ok.
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import type { Server } from "node:http";
import { Command, Option } from "commander";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../core/process-metrics.js";
import { parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { createLogger, type LogLevel, type Logger } from "../../core/logger.js";
import type { ProbeResult } from "../../core/probe-result.js";
import { DEFAULT_REGIONS, regionSchema, splitTrackId, type Region } from "../../core/region.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_INTERVAL_MS, DEFAULT_PPS, DEFAULT_ROTATE_MS, DEFAULT_SEND_INTERVAL_MS, ProbeAgent } from "../../probes/agent.js";
import { IngestSink } from "../../probes/delivery/ingest-sink.js";
import { FanOutSink, emptySinkStats, type ProbeSink, type SinkStats } from "../../probes/delivery/sink.js";
import { StoreSink } from "../../probes/delivery/store-sink.js";
import type { TokenProvider } from "../../probes/endpoints.js";
import { defaultOnceWindows, runOnce } from "../../probes/once.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../../probes/whip-client.js";
import { janusTargetOf } from "../../probes/targets/select.js";
import { openStore } from "../../store/open.js";
import { parseStoreUrl } from "../../store/url.js";
import { StoreWriter } from "../../store/writer.js";
import { issueToken } from "../../sfu/auth/tokens.js";
import { loadConfig } from "../config.js";
import { readSecret } from "../secret.js";
import { turnProbeConfig } from "../../probes/turn/config.js";
import { formatTable } from "../format-table.js";
import { lifecycleAction, type Life } from "../lifecycle.js";
import { checkPortFree, checkWritableDir } from "../preflight.js";
import { createHttpServer, type ServerTls } from "../../core/tls.js";
import { applyTls, tlsCaOption, tlsCertOption, tlsKeyOption, type TlsOpts } from "../tls-options.js";

interface ProbeOpts extends TlsOpts {
  region: string;
  sfu?: string;
  failover?: string;
  analyzer?: string;
  analyzerToken?: string;
  analyzerTokenFile?: string;
  spoolDir?: string;
  store?: string;
  config?: string;
  regions?: string;
  interval: string;
  rotate: string;
  pps: string;
  sendInterval: string;
  token?: string;
  publishToken?: string;
  subscribeToken?: string;
  once?: boolean;
  json?: boolean;
  whipUrl?: string;
  whepUrl?: string;
  target: string;
  janusUrl?: string;
  janusRoom?: string;
  metricsPort?: string;
  metricsHost: string;
  bind?: string;
  iceServer?: string;
  turnSecretFile?: string;
  turnCredentialsFile?: string;
  turnUser?: string;
  relayOnly?: boolean;
  logLevel: string;
}

/** Prints each result as one JSON line: the sink when neither analyzer nor store is given, or with --json. */
class StdoutSink implements ProbeSink {
  readonly name = "stdout";
  private readonly counts: SinkStats = emptySinkStats();
  submit(results: readonly ProbeResult[]): void {
    for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    this.counts.submitted += results.length;
    this.counts.delivered += results.length;
  }
  stats(): SinkStats {
    return { ...this.counts, dropped: { ...this.counts.dropped } };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function probeCommand(): Command {
  return new Command("probe")
    .description("Run a synthetic probe agent for one region: publish a rotating probe track into this region's SFU, subscribe through it to every other region's probe track, and report loss, jitter, latency and setup time per region pair every window")
    .requiredOption("--region <name>", "this agent's region, e.g. eu-central")
    .option("--sfu <url>", "this region's SFU (WHIP/WHEP base URL), e.g. http://127.0.0.1:7001")
    .option("--failover <urls>", "other regions' SFUs, nearest first, comma-separated: new sessions go there while this region's SFU refuses them (503, no connection), as its clients would; home is retried every 5 s")
    .option("--analyzer <url>", "analyzer base URL; results are POSTed to /v1/ingest/probes")
    .option("--analyzer-token <token>", "bearer token for the analyzer ingest: this region's agent token (env RELAYWATCH_ANALYZER_TOKEN)")
    .option("--analyzer-token-file <file>", "read the analyzer token from a file (env RELAYWATCH_ANALYZER_TOKEN_FILE)")
    .option("--spool-dir <dir>", "results not yet delivered to the analyzer are kept here across restarts (default <store.spoolDir>/probe-<region>-ingest)")
    .option("--store <url>", "write results to the store directly (remote ClickHouse: http://user:pass@host:8123/db)")
    .option("-c, --config <file>", "relaywatch.yaml (for the store's spool directory)")
    .option("--regions <list>", `every region of the mesh, comma-separated (default: ${DEFAULT_REGIONS.join(",")})`)
    .option("--interval <duration>", "window length", "1s")
    .option("--rotate <duration>", "publish a fresh probe track this often (a multiple of --interval)", "30s")
    .option("--pps <n>", "probe packets per second per track", String(DEFAULT_PPS))
    .option("--send-interval <duration>", "send the packets due every this long, in a burst: 20ms paces each packet alone; 100ms-200ms costs the agent about half the CPU (npm run bench -- probe) with the same figures (each packet carries its own send time), at the price of bursty pacing; at most a fifth of --interval", `${DEFAULT_SEND_INTERVAL_MS}ms`)
    .addOption(new Option("--token <token>", "bearer token for WHIP and WHEP (e.g. granting room probe, track *)").env("RELAYWATCH_PROBE_TOKEN"))
    .addOption(new Option("--publish-token <token>", "bearer token for WHIP only (SFUs whose tokens carry one permission)").env("RELAYWATCH_PROBE_PUBLISH_TOKEN"))
    .addOption(new Option("--subscribe-token <token>", "bearer token for WHEP only").env("RELAYWATCH_PROBE_SUBSCRIBE_TOKEN"))
    .option("--once", "run one round, print every pair's result, exit 0 only if all are ok")
    .option("--json", "print results as JSON (--once: one object; otherwise one line per result)")
    .option("--whip-url <template>", "WHIP endpoint template for another SFU, with {room} {track} {region}")
    .option("--whep-url <template>", "WHEP endpoint template for another SFU, with {room} {track} {region}")
    .addOption(new Option("--target <kind>", "the SFU probed: relaywatch's SFU (--sfu), any WHIP/WHEP server (--whip-url/--whep-url) or a Janus VideoRoom (--janus-url)").choices(["relaywatch", "whip", "janus"]).default("relaywatch"))
    .option("--janus-url <template>", "Janus HTTP API base for --target janus, with {region} (e.g. http://janus-{region}:8088/janus)")
    .option("--janus-room <id>", "the VideoRoom room probe tracks are published in (created when missing)")
    .option("--metrics-port <port>", "serve Prometheus metrics on <metrics-host>:<port>/metrics")
    .option("--metrics-host <address>", "the address the metrics endpoint binds (0.0.0.0: every interface)", "127.0.0.1")
    .addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(tlsCaOption())
    .option("--bind <address>", "local address the WebRTC peers bind to", "127.0.0.1")
    .option("--ice-server <uri>", "this region's TURN server, turn:HOST:PORT?transport=udp|tcp or turns:HOST:PORT: a TURN probe (allocation + media through a relay) runs beside the pairs")
    .option("--turn-secret-file <file>", "TURN REST API shared secret (coturn's static-auth-secret): credentials are derived per session")
    .option("--turn-credentials-file <file>", "static TURN credentials: the username on line 1, the password on line 2")
    .option("--turn-user <name>", "user part of derived TURN usernames (<expiry>:<name>; default probe-<region>)")
    .option("--relay-only", "every session (publish and pairs) through the TURN server only; results are marked via turn")
    .addOption(new Option("--log-level <level>", "log level (logs go to stderr)").choices(["debug", "info", "warn", "error", "silent"]).default("info"))
    .action((opts: ProbeOpts) => lifecycleAction({ kind: opts.once === true ? "task" : "service" }, runProbe)(opts));
}

/** Flags, windows, addresses, metrics port (free?), store (writable?): checked before anything opens. */
async function planProbe(opts: ProbeOpts): Promise<{ region: Region; regions: Region[]; intervalMs: number; rotateMs: number; pps: number; sendIntervalMs: number; metricsPort: number | null; analyzerToken: string | undefined }> {
  const region = parseRegion("--region", opts.region);
  const regions = opts.regions === undefined ? [...DEFAULT_REGIONS] : opts.regions.split(",").map((r) => parseRegion("--regions", r.trim()));
  if (!regions.includes(region)) regions.push(region);
  const intervalMs = durationOption("--interval", opts.interval, DEFAULT_INTERVAL_MS);
  const rotateMs = durationOption("--rotate", opts.rotate, DEFAULT_ROTATE_MS);
  const pps = Number(opts.pps);
  if (!Number.isFinite(pps) || pps <= 0) throw new ConfigError("--pps", opts.pps, "a positive number of packets per second");
  const sendIntervalMs = durationOption("--send-interval", opts.sendInterval, DEFAULT_SEND_INTERVAL_MS);
  if (sendIntervalMs > intervalMs / 5) throw new ConfigError("--send-interval", opts.sendInterval, `at most a fifth of --interval (${intervalMs / 5} ms), so every window has several sends`);
  if (opts.sfu !== undefined) checkUrl("--sfu", opts.sfu);
  if (opts.analyzer !== undefined) checkUrl("--analyzer", opts.analyzer);
  const analyzerToken = readSecret({ value: opts.analyzerToken, file: opts.analyzerTokenFile, env: "RELAYWATCH_ANALYZER_TOKEN", option: "--analyzer-token" });
  if (opts.store !== undefined && !opts.once) {
    const loc = parseStoreUrl(opts.store, "--store");
    if (loc.kind === "chdb") checkWritableDir("--store", loc.path);
    checkWritableDir("store.spoolDir", loadConfig(opts.config).store.spoolDir);
  }
  const metricsPort = opts.metricsPort === undefined ? null : portOption(opts.metricsPort);
  if (metricsPort !== null) await checkPortFree("--metrics-port", opts.metricsHost, metricsPort);
  return { region, regions, intervalMs, rotateMs, pps, sendIntervalMs, metricsPort, analyzerToken };
}

async function runProbe(life: Life, opts: ProbeOpts): Promise<number> {
  const { region, regions, intervalMs, rotateMs, pps, sendIntervalMs, metricsPort, analyzerToken } = await planProbe(opts);
  const metricsTls = applyTls(opts);
  const logger = createLogger({ level: opts.logLevel as LogLevel, name: `probe-${region}` });
  const registry = new Registry();
  // The agent's media stack is werift (probes/whip-client.ts).
  registerProcessMetrics(registry, "werift");
  const sinks: ProbeSink[] = [];
  const sink = new FanOutSink(sinks);
  const agent = new ProbeAgent({
    region, regions, sfuUrl: opts.sfu, failover: opts.failover?.split(",").map((u) => u.trim()).filter((u) => u !== ""), whipTemplate: opts.whipUrl, whepTemplate: opts.whepUrl, janus: janusTargetOf({ ...opts, region }), token: opts.token ?? tokensFromSecret(process.env["RELAYWATCH_TOKEN_SECRET"]),
    intervalMs, rotateMs, pps, sendIntervalMs, sink, registry, logger, bindAddress: opts.bind ?? "127.0.0.1",
    turn: turnProbeConfig({ iceServer: opts.iceServer, turnSecretFile: opts.turnSecretFile, turnCredentialsFile: opts.turnCredentialsFile, turnUser: opts.turnUser ?? `probe-${region}`, relayOnly: opts.relayOnly }, (f) => readFileSync(f, "utf8")),
    relayOnly: opts.relayOnly,
  });
  if (!opts.once) {
    if (opts.analyzer !== undefined) {
      const spoolDir = opts.spoolDir ?? join(loadConfig(opts.config).store.spoolDir, `probe-${region}-ingest`);
      sinks.push(await IngestSink.open({ analyzerUrl: opts.analyzer, agent: `probe-${region}`, metrics: agent.metrics, logger, token: analyzerToken, spoolDir }));
    }
    if (opts.store !== undefined) {
      const storeUrl = opts.store;
      const store = await life.closers.open("store", () => openStore({ url: storeUrl }), (s) => s.close());
      const writer = await life.closers.open("store writer", () => StoreWriter.open({ store, spoolDir: `${loadConfig(opts.config).store.spoolDir}/probe-${region}`, logger }), (w) => w.close());
      sinks.push(new StoreSink(writer, agent.metrics));
    }
    if (opts.json || sinks.length === 0) sinks.push(new StdoutSink());
  }
  if (metricsPort !== null) await life.closers.open("metrics server", () => serveMetrics(registry, { host: opts.metricsHost, port: metricsPort, tls: metricsTls }, logger), (server) => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }));
  // The agent opens nothing until it runs; closed first, its close flushes the sinks (ingest, store writer).
  life.closers.push("probe agent", async () => {
    await agent.close();
    if (!opts.once) reportDrops(sink.stats(), logger);
  });
  if (opts.once) {
    const outcome = await runOnce(agent, defaultOnceWindows(intervalMs, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS));
    if (opts.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    else process.stdout.write(formatTable(outcome.results.map(tableRow)));
    return outcome.allOk ? 0 : 1;
  }
  agent.start();
  await life.stopped;
  return 0;
}

function tableRow(r: ProbeResult): Record<string, unknown> {
  return {
    pair: `${r.src}→${r.dst}`, status: r.status, loss: r.sent === 0 ? "-" : `${((r.lost / r.sent) * 100).toFixed(1)}%`,
    p50: r.latencyP50Ms === null ? "-" : `${r.latencyP50Ms.toFixed(1)}ms`, p95: r.latencyP95Ms === null ? "-" : `${r.latencyP95Ms.toFixed(1)}ms`,
    setup: r.setupMs === null ? "-" : `${Math.round(r.setupMs)}ms`, path: r.relayPath.join(">"), reason: r.reason,
  };
}

function reportDrops(stats: SinkStats, logger: Logger): void {
  const dropped = stats.dropped.buffer_full + stats.dropped.rejected + stats.dropped.shutdown;
  const fields = { submitted: stats.submitted, delivered: stats.delivered, dropped: stats.dropped };
  if (dropped > 0) logger.warn(fields, "probe() | results were dropped");
  else logger.info(fields, "probe() | every result delivered");
}

async function serveMetrics(registry: Registry, at: { host: string; port: number; tls: ServerTls | null }, logger: Logger): Promise<Server> {
  const server = createHttpServer(at.tls, (req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => { res.writeHead(200, { "content-type": registry.contentType }).end(text); },
      () => { res.writeHead(500).end(); },
    );
  });
  server.listen(at.port, at.host);
  await once(server, "listening");
  logger.info({ host: at.host, port: at.port, tls: at.tls !== null }, "probe() | metrics endpoint listening");
  return server;
}

function parseRegion(key: string, v: string): Region {
  if (!regionSchema.safeParse(v).success) throw new ConfigError(key, v, "a region name like eu-central (lowercase letters, digits, dashes)");
  return v;
}

/** 10 min: long enough for any WHIP/WHEP exchange, short enough to be worthless if leaked. */
const MINTED_TOKEN_TTL_MS = 600_000;

/**
 * With the SFU's token secret in the environment (the lab, or an operator's own SFU), the
 * agent mints a token per request: `publish` for its own track, `subscribe` for the others.
 */
function tokensFromSecret(secret: string | undefined): TokenProvider | undefined {
  if (secret === undefined || secret === "") return undefined;
  return (op, track) => {
    const { room, track: name } = splitTrackId(track);
    return issueToken(secret, { room, track: name, perm: op, exp: Date.now() + MINTED_TOKEN_TTL_MS });
  };
}

function durationOption(key: string, v: string, fallback: number): number {
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) throw new ConfigError(key, v, `a duration like ${fallback}ms or ${fallback / 1000}s`);
  return ms;
}

function portOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError("--metrics-port", v, "a TCP port 1-65535");
  return n;
}

function checkUrl(key: string, v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === "http:" || u.protocol === "https:") return v;
  } catch {
    // fall through
  }
  throw new ConfigError(key, v, "an http(s) URL like http://127.0.0.1:7400");
}
