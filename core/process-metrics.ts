// The metrics every relaywatch process exports, whatever its role (region node, analyzer,
// probe agent): the standard, unprefixed `process_*` and `nodejs_*` metrics of prom-client's
// default collectors (so the usual Node.js dashboards and alerts work as they are), and
// `relaywatch_build_info{version,engine}` = 1, the Prometheus convention for the running
// build (join on it: `* on (instance) group_left (version) relaywatch_build_info`).
// Always on an injected registry, never prom-client's global one.
import { Gauge, collectDefaultMetrics, type Registry } from "prom-client";
import { RELAYWATCH_VERSION } from "./version.js";

export { RELAYWATCH_VERSION };

/** `engine` of a process that runs no media engine (analyzer). */
export const NO_ENGINE = "none";

export interface BuildInfo {
  /** Sets the `engine` label (the media engine actually running: werift, mediasoup, ...). */
  setEngine(engine: string): void;
}

/**
 * prom-client's default collectors also export these three as gauges ending in `_total`, which
 * `promtool check metrics` refuses ("non-counter metrics should not have _total suffix"). Each
 * is the sum of its by-type gauge (`nodejs_active_handles{type}` ...), which stays:
 * `sum(nodejs_active_handles)` is the same figure.
 */
const NON_COUNTER_TOTALS = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"] as const;

/**
 * Registers the default process/Node.js collectors and `relaywatch_build_info` on `registry`.
 * Call once per registry (prom-client refuses a metric name twice on one registry).
 */
export function registerProcessMetrics(registry: Registry, engine: string = NO_ENGINE): BuildInfo {
  collectDefaultMetrics({ register: registry });
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  const gauge = new Gauge<"version" | "engine">({
    name: "relaywatch_build_info",
    help: "Always 1; the labels say which relaywatch version and media engine this process runs",
    labelNames: ["version", "engine"],
    registers: [registry],
  });
  let current = engine;
  gauge.set({ version: RELAYWATCH_VERSION, engine: current }, 1);
  return {
    setEngine(next: string): void {
      if (next === current) return;
      gauge.remove({ version: RELAYWATCH_VERSION, engine: current });
      current = next;
      gauge.set({ version: RELAYWATCH_VERSION, engine: current }, 1);
    },
  };
}
