// Starts a real Prometheus (Debian package prometheus, 2.42) on loopback for tests, with
// short scrape and evaluation intervals, the relaywatch rules and the given targets.
import { join } from "node:path";
import { stringify } from "yaml";
import { startLoopbackService, type LoopbackService } from "./loopback-service.js";

export interface ScrapeTarget {
  job: string;
  address: string;
  labels: Record<string, string>;
}

/** A running Prometheus: stop it with close() (SIGTERM, then SIGKILL; its data is removed). */
export type PrometheusProcess = Pick<LoopbackService, "url" | "close">;

export async function startPrometheus(opts: { binary: string; rulesFile: string; targets: readonly ScrapeTarget[]; intervalSeconds?: number }): Promise<PrometheusProcess> {
  const interval = `${opts.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [opts.rulesFile],
    scrape_configs: opts.targets.map((t) => ({ job_name: t.job, static_configs: [{ targets: [t.address], labels: t.labels }] })),
  };
  // The port is chosen before the start: 2.42 has no way to report an ephemeral port back.
  return startLoopbackService({
    name: "prometheus",
    binary: opts.binary,
    files: { "prometheus.yml": stringify(config) },
    args: (port, dir) => [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
  });
}

export interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing" | "inactive";
}

export async function alerts(url: string): Promise<PromAlert[]> {
  const res = await fetch(`${url}/api/v1/alerts`);
  const body = (await res.json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}
