// Starts a real Alertmanager (Debian package prometheus-alertmanager, 0.25) on loopback with
// a given configuration file. Clustering is off (empty --cluster.listen-address), so only
// 127.0.0.1:port is bound.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deadPort } from "./region-with-dead-peer.js";

export interface AlertmanagerProcess {
  url: string;
  /** SIGTERM, SIGKILL after 5 s; removes its data. Idempotent. */
  close(): Promise<void>;
}

export async function startAlertmanager(binary: string, config: string): Promise<AlertmanagerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "relaywatch-dash-am-"));
  await writeFile(join(dir, "alertmanager.yml"), config);
  const port = await deadPort();
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=error"],
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
      throw new Error(`alertmanager exited with ${child.exitCode}: ${stderr}`);
    }
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`alertmanager not ready after 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
