// Starts a real Alertmanager (Debian package prometheus-alertmanager, 0.25) on loopback for
// tests and benches: with one webhook receiver (startAlertmanager) or a given configuration
// (startAlertmanagerWithConfig). Clustering is disabled (empty --cluster.listen-address) so
// nothing but 127.0.0.1:port is bound.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startLoopbackService, type LoopbackService } from "./loopback-service.js";

export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";

export function alertmanagerAvailable(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

/** A running Alertmanager: stop it with close() (SIGTERM, then SIGKILL; its data is removed). */
export type AlertmanagerProcess = Pick<LoopbackService, "url" | "close">;

export async function startAlertmanager(opts: { webhookUrl: string; groupWait?: string; groupInterval?: string; repeatInterval?: string }): Promise<AlertmanagerProcess> {
  const config = [
    "route:",
    "  receiver: hook",
    "  group_by: [alertname]",
    `  group_wait: ${opts.groupWait ?? "100ms"}`,
    `  group_interval: ${opts.groupInterval ?? "1s"}`,
    `  repeat_interval: ${opts.repeatInterval ?? "1h"}`,
    "receivers:",
    "  - name: hook",
    "    webhook_configs:",
    `      - url: ${opts.webhookUrl}`,
    "        send_resolved: true",
    "",
  ].join("\n");
  return startAlertmanagerWithConfig(config);
}

export async function startAlertmanagerWithConfig(config: string, binary = ALERTMANAGER_BIN): Promise<AlertmanagerProcess> {
  return startLoopbackService({
    name: "alertmanager",
    binary,
    files: { "alertmanager.yml": config },
    args: (port, dir) => [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=warn"],
  });
}
