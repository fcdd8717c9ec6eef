// `relaywatch analyze --config relaywatch.yaml [--listen HOST:PORT] [--store URL]`: runs the
// analyzer until SIGINT/SIGTERM. In embedded mode this process owns the chdb store.
import { Command, Option } from "commander";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../core/process-metrics.js";
import { createLogger, type LogLevel } from "../../core/logger.js";
import { systemClock } from "../../core/clock.js";
import { Analyzer } from "../../analyzer/analyzer.js";
import { migrate } from "../../store/migrations.js";
import { openStore } from "../../store/open.js";
import type { RelaywatchConfig } from "../../core/config.js";
import { parseStoreUrl } from "../../store/url.js";
import { ConfigError } from "../../core/errors.js";
import { loadConfig } from "../config.js";
import { lifecycleAction, type Life } from "../lifecycle.js";
import { checkPortFree, checkWritableDir, parseHostPort } from "../preflight.js";
import { readSecret } from "../secret.js";
import { startTracing } from "../tracing.js";
import { applyTls, tlsCaOption, tlsCertOption, tlsKeyOption, type TlsOpts } from "../tls-options.js";

interface AnalyzeOpts extends TlsOpts {
  config?: string;
  listen?: string;
  /** false with --no-store. */
  store?: string | false;
  runbookBaseUrl?: string;
  logLevel: LogLevel;
}

export function analyzeCommand(): Command {
  return new Command("analyze")
    .description("Run the analyzer: relay graph, detectors, alerts, live API")
    .option("-c, --config <file>", "relaywatch.yaml to read (default: ./relaywatch.yaml if present)")
    .option("--listen <host:port>", "where to serve the ingest and live API (default from config, 127.0.0.1:7700)")
    .addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(tlsCaOption())
    .option("--store <url>", "a directory (embedded chdb) or http://user:pass@host:8123/db; env RELAYWATCH_STORE")
    .option("--no-store", "run without persistence (alerts are not restored after a restart)")
    .option("--log-level <level>", "debug, info, warn, error or silent", "info")
    .addOption(new Option("--runbook-base-url <url>", "where the alerts' runbook_url points: <url>/<AlertName>.md (default: this installation's docs/runbooks)").env("RELAYWATCH_RUNBOOK_BASE_URL"))
    .action(lifecycleAction({ kind: "service" }, runAnalyze));
}

/** Config, token, listen address (free?), store and spool directories (writable?): checked before anything opens. */
async function planAnalyze(opts: AnalyzeOpts): Promise<{ config: RelaywatchConfig; listen: string; storeUrl: string | null }> {
  const config = loadConfig(opts.config);
  const envToken = readSecret({ env: "RELAYWATCH_ANALYZER_TOKEN", option: "analyzer.token" });
  if (envToken !== undefined) config.analyzer.token = envToken;
  const listen = opts.listen ?? config.analyzer.listen;
  const { host, port } = parseHostPort(opts.listen === undefined ? "analyzer.listen" : "--listen", listen);
  const storeUrl = opts.store === false ? null : opts.store ?? config.store.url;
  if (storeUrl !== null) {
    const loc = parseStoreUrl(storeUrl, opts.store === undefined ? "store.url" : "--store");
    if (loc.kind === "chdb") checkWritableDir(opts.store === undefined ? "store.url" : "--store", loc.path);
    checkWritableDir("store.spoolDir", config.store.spoolDir);
  }
  if (opts.runbookBaseUrl !== undefined && !URL.canParse(opts.runbookBaseUrl)) throw new ConfigError("--runbook-base-url", opts.runbookBaseUrl, "an absolute URL, e.g. https://wiki.example/relaywatch/runbooks");
  await checkPortFree(opts.listen === undefined ? "analyzer.listen" : "--listen", host, port);
  return { config, listen, storeUrl };
}

async function runAnalyze(life: Life, opts: AnalyzeOpts): Promise<void> {
  const { config, listen, storeUrl } = await planAnalyze(opts);
  const tls = applyTls(opts);
  const logger = createLogger({ level: opts.logLevel, name: "relaywatch-analyzer" });
  const tracing = await startTracing("analyzer", {});
  if (tracing !== null) {
    logger.info({ endpoint: tracing.endpoint }, "exporting traces over OTLP/HTTP");
    life.closers.push("trace export", () => tracing.shutdown());
  }
  const registry = new Registry();
  registerProcessMetrics(registry);
  const store = storeUrl === null ? undefined : await life.closers.open("store", () => openStore({ url: storeUrl, cluster: config.store.cluster }), (s) => s.close());
  if (store !== undefined) await migrate(store, { ttlDays: config.store.ttlDays });
  const analyzer = await life.closers.open("analyzer", () => Analyzer.start({
    config,
    ...(store === undefined ? {} : { store }),
    clock: systemClock,
    logger,
    registry,
    listen,
    tls,
    ...(opts.runbookBaseUrl === undefined ? {} : { runbookBaseUrl: opts.runbookBaseUrl }),
    // On-call actions call the regions' admin APIs with it (POST /v1/actions); unset: actions are off.
    adminToken: readSecret({ env: "RELAYWATCH_ADMIN_TOKEN", option: "RELAYWATCH_ADMIN_TOKEN" }),
  }), (a) => a.close());
  process.stderr.write(`relaywatch analyze: listening on ${analyzer.url} (${config.regions.length} regions)\n`);
  await life.stopped;
}
