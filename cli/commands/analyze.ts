// `relaywatch analyze --config relaywatch.yaml [--listen HOST:PORT] [--store URL]`: runs the
// analyzer until SIGINT/SIGTERM. In embedded mode this process owns the chdb store.
import { Command } from "commander";
import { Registry, collectDefaultMetrics } from "prom-client";
import { createLogger, type LogLevel } from "../../core/logger.js";
import { systemClock } from "../../core/clock.js";
import { Analyzer } from "../../analyzer/analyzer.js";
import { migrate } from "../../store/migrations.js";
import { openStore } from "../../store/open.js";
import { loadConfig } from "../config.js";
import { runAction } from "../run-action.js";
import { startTracing } from "../tracing.js";

interface AnalyzeOpts {
  config?: string;
  listen?: string;
  /** false with --no-store. */
  store?: string | false;
  logLevel: LogLevel;
}

export function analyzeCommand(): Command {
  return new Command("analyze")
    .description("Run the analyzer: relay graph, detectors, alerts, live API")
    .option("-c, --config <file>", "relaywatch.yaml to read (default: ./relaywatch.yaml if present)")
    .option("--listen <host:port>", "where to serve the ingest and live API (default from config, 127.0.0.1:7700)")
    .option("--store <url>", "a directory (embedded chdb) or http://user:pass@host:8123/db; env RELAYWATCH_STORE")
    .option("--no-store", "run without persistence (alerts are not restored after a restart)")
    .option("--log-level <level>", "debug, info, warn, error or silent", "info")
    .action(
      runAction(async (opts: AnalyzeOpts) => {
        const config = loadConfig(opts.config);
        const envToken = process.env["RELAYWATCH_ANALYZER_TOKEN"];
        if (envToken !== undefined && envToken !== "") config.analyzer.token = envToken;
        const logger = createLogger({ level: opts.logLevel, name: "relaywatch-analyzer" });
        const tracing = startTracing("analyzer", {});
        if (tracing !== null) logger.info({ endpoint: tracing.endpoint }, "exporting traces over OTLP/HTTP");
        const registry = new Registry();
        collectDefaultMetrics({ register: registry, prefix: "relaywatch_analyzer_process_" });
        const store = opts.store === false ? undefined : await openStore({ url: opts.store ?? config.store.url, cluster: config.store.cluster });
        if (store !== undefined) await migrate(store, { ttlDays: config.store.ttlDays });
        const analyzer = await Analyzer.start({
          config,
          ...(store === undefined ? {} : { store }),
          clock: systemClock,
          logger,
          registry,
          ...(opts.listen === undefined ? {} : { listen: opts.listen }),
        });
        process.stderr.write(`relaywatch analyze: listening on ${analyzer.url} (${config.regions.length} regions)\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => { resolve(); };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await analyzer.close();
        await store?.close();
        await tracing?.shutdown().catch((err: unknown) => { logger.warn({ err }, "trace export: final flush failed"); });
      }),
    );
}
