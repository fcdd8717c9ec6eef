// A real coturn (Debian coturn 4.6) on a free loopback port for tests, configured as the lab
// runs it (lab/world/turn.ts: REST-API shared secret, loopback peers allowed), in a fresh temp
// directory. stop() and start() take it down and bring it back on the same port (outages);
// close() stops it for good and removes the directory. Missing turnserver: skipWithout().
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coturnArgs, findTurnserver, planCoturn, waitTurnReady, type CoturnPlan } from "../../lab/world/turn.js";
import { freePort } from "../../lab/world/ports.js";

export const turnserverBinary = findTurnserver();

export class Coturn {
  readonly plan: CoturnPlan;
  /** The TURN REST API shared secret (static-auth-secret). */
  readonly secret: string;
  private readonly dir: string;
  private readonly binary: string;
  private child: ChildProcess | null = null;
  private output = "";

  private constructor(o: { plan: CoturnPlan; dir: string; binary: string; secret: string }) {
    this.plan = o.plan;
    this.dir = o.dir;
    this.binary = o.binary;
    this.secret = o.secret;
  }

  static async start(binary = turnserverBinary): Promise<Coturn> {
    if (binary === null) throw new Error("turnserver is not installed (Debian package coturn)");
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-coturn-"));
    const port = await freePort();
    const secret = randomBytes(16).toString("hex");
    const c = new Coturn({ plan: planCoturn({ region: "test", port, dir, secret }), dir, binary, secret });
    await c.start();
    return c;
  }

  get url(): string {
    return this.plan.url;
  }

  /** `turn:…?transport=tcp` for the same server (coturn listens on both). */
  get tcpUrl(): string {
    return this.plan.url.replace("transport=udp", "transport=tcp");
  }

  async start(): Promise<void> {
    if (this.child !== null) return;
    const child = spawn(this.binary, coturnArgs(this.plan), { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    try {
      await waitTurnReady(this.plan.url, this.secret);
    } catch (err) {
      await this.stop();
      throw new Error(`coturn did not come up: ${String(err)}\n${this.output.slice(-800)}`, { cause: err });
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => {
      resolve();
    }));
    child.kill("SIGKILL");
    await exited;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
