// A real Janus (Debian janus 1.1) for tests: a temp config dir with only the HTTP transport
// (loopback, a free port) and the VideoRoom plugin (private plugin/transport folders holding
// links to just those two), ICE on loopback only. kill() SIGKILLs it (an outage); close()
// also removes the directory.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { freePort } from "./ports.js";

export const janusBinary = findBinary("janus");
const LIB_DIR = "/usr/lib/x86_64-linux-gnu/janus";

export class JanusProcess {
  readonly apiUrl: string;
  private readonly dir: string;
  private child: ChildProcess | null;
  private output = "";

  private constructor(apiUrl: string, dir: string, child: ChildProcess) {
    this.apiUrl = apiUrl;
    this.dir = dir;
    this.child = child;
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  static async start(binary = janusBinary): Promise<JanusProcess> {
    if (binary === null) throw new Error("janus is not installed (Debian package janus)");
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-janus-"));
    for (const d of ["plugins", "transports", "events", "loggers", "cfg"]) mkdirSync(join(dir, d));
    symlinkSync(join(LIB_DIR, "plugins", "libjanus_videoroom.so"), join(dir, "plugins", "libjanus_videoroom.so"));
    symlinkSync(join(LIB_DIR, "transports", "libjanus_http.so"), join(dir, "transports", "libjanus_http.so"));
    const port = await freePort();
    const cfg = join(dir, "cfg");
    writeFileSync(join(cfg, "janus.jcfg"), `general: { configs_folder = "${cfg}", plugins_folder = "${join(dir, "plugins")}", transports_folder = "${join(dir, "transports")}", events_folder = "${join(dir, "events")}", loggers_folder = "${join(dir, "loggers")}", debug_level = 4 }\nmedia: { rtp_port_range = "61000-61999" }\nnat: { ice_enforce_list = "lo", ignore_mdns = true }\n`);
    writeFileSync(join(cfg, "janus.transport.http.jcfg"), `general: { base_path = "/janus", http = true, port = ${port}, ip = "127.0.0.1", https = false }\nadmin: { admin_http = false }\n`);
    writeFileSync(join(cfg, "janus.plugin.videoroom.jcfg"), "general: { }\n");
    const child = spawn(binary, ["-F", cfg, "-C", join(cfg, "janus.jcfg")], { stdio: ["ignore", "pipe", "pipe"] });
    const j = new JanusProcess(`http://127.0.0.1:${port}/janus`, dir, child);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      const up = await fetch(`${j.apiUrl}/info`).then((r) => r.ok, () => false);
      if (up) return j;
      await new Promise((r) => setTimeout(r, 100));
    }
    const out = j.output;
    await j.close();
    throw new Error(`janus did not come up:\n${out.slice(-800)}`);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => {
        resolve();
      });
    });
    child.kill("SIGKILL");
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
