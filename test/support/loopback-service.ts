// Starts a real service binary from Debian (Prometheus, Alertmanager) for tests and benches:
// its config files in a fresh temp directory, bound to 127.0.0.1 on a free port from the
// lab's allocator, ready when GET /-/ready answers 2xx. close() sends SIGTERM, SIGKILL after
// 5 s, and removes the directory; it is idempotent. A process that exits before it is ready,
// or is not ready in time, is an error carrying the tail of its stderr.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../lab/world/ports.js";

export interface LoopbackServiceOptions {
  /** For messages and the temp directory's name, e.g. `alertmanager`. */
  name: string;
  binary: string;
  /** File name → contents, written into the service's directory before it starts. */
  files: Readonly<Record<string, string>>;
  /** The command line, given the port to listen on and the service's directory. */
  args: (port: number, dir: string) => string[];
  readyTimeoutMs?: number;
}

export interface LoopbackService {
  url: string;
  /** The service's temp directory (its config files and data). */
  dir: string;
  close(): Promise<void>;
}

export async function startLoopbackService(o: LoopbackServiceOptions): Promise<LoopbackService> {
  const dir = await mkdtemp(join(tmpdir(), `relaywatch-${o.name}-`));
  for (const [file, contents] of Object.entries(o.files)) await writeFile(join(dir, file), contents);
  const port = await freePort();
  const child: ChildProcess = spawn(o.binary, o.args(port, dir), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
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
  const timeoutMs = o.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`${o.name} exited with ${child.exitCode}: ${stderr.slice(-500)}`);
    }
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, dir, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`${o.name} not ready after ${timeoutMs / 1000} s: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
