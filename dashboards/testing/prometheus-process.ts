// Starts a real Prometheus (Debian package prometheus, 2.42) on loopback for tests, with
// short scrape and evaluation intervals, the relaywatch rules and the given targets.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { deadPort } from "./region-with-dead-peer.js";

export interface ScrapeTarget {
  job: string;
  address: string;
  labels: Record<string, string>;
}

export interface PrometheusProcess {
  url: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its data. Idempotent. */
  close(): Promise<void>;
}

export async function startPrometheus(opts: { binary: string; rulesFile: string; targets: readonly ScrapeTarget[]; intervalSeconds?: number }): Promise<PrometheusProcess> {
  const dir = await mkdtemp(join(tmpdir(), "relaywatch-prom-"));
  const interval = `${opts.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [opts.rulesFile],
    scrape_configs: opts.targets.map((t) => ({ job_name: t.job, static_configs: [{ targets: [t.address], labels: t.labels }] })),
  };
  await writeFile(join(dir, "prometheus.yml"), stringify(config));
  // Port chosen here: 2.42 has no way to report an ephemeral port back.
  const port = await deadPort();
  const child: ChildProcess = spawn(
    opts.binary,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => { resolve(); }));
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return { url, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus not ready after 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
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
