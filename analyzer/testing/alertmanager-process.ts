// Starts a real Alertmanager (Debian package prometheus-alertmanager, 0.25) on loopback for
// tests and benches, with one webhook receiver. Clustering is disabled (empty
// --cluster.listen-address) so nothing but 127.0.0.1:port is bound.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";

export function alertmanagerAvailable(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => { resolve(port); });
    });
  });
}

export interface AlertmanagerProcess {
  url: string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its data. Idempotent. */
  close(): Promise<void>;
}

export async function startAlertmanager(opts: { webhookUrl: string; groupWait?: string; groupInterval?: string; repeatInterval?: string }): Promise<AlertmanagerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "relaywatch-am-"));
  const port = await freePort();
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
  await writeFile(join(dir, "alertmanager.yml"), config);
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once("exit", () => { r(); }));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`alertmanager exited: ${stderr.slice(-500)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`alertmanager not ready after 15 s: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, close };
}
