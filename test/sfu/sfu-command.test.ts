// `relaywatch sfu` in a child process: two regions started from the command line find each
// other, serve /v1/state and /metrics, and stop cleanly on SIGTERM; bad flags and missing
// secrets are one clear line and exit code 2.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveEngineName } from "../../sfu/media/create-engine.js";
import { SECRETS, waitFor } from "./sfu-kit.js";

const ENTRY = join(import.meta.dirname, "sfu-command-entry.mjs");
const ENV = { RELAYWATCH_TOKEN_SECRET: SECRETS.tokenSecret, RELAYWATCH_RELAY_SECRET: SECRETS.relaySecret };

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = ENV): Running {
  const child = spawn(process.execPath, [ENTRY, ...args], { env: { ...process.env, ...env, RELAYWATCH_TOKEN_SECRET: env["RELAYWATCH_TOKEN_SECRET"] ?? "", RELAYWATCH_RELAY_SECRET: env["RELAYWATCH_RELAY_SECRET"] ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
  child.stderr.setEncoding("utf8").on("data", (d: string) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, out: () => out, err: () => err, exited };
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

describe("relaywatch sfu", () => {
  const children: Running[] = [];
  afterEach(async () => {
    for (const r of children.splice(0)) {
      if (r.child.exitCode === null) r.child.kill("SIGKILL");
      await r.exited;
    }
  });

  it("runs two regions that heartbeat each other and stops on SIGTERM", async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = run(["--region", "a", "--listen", `127.0.0.1:${pa}`, "--peers", `b=http://127.0.0.1:${pb}`, "--relay-ports", "41000-41019", "--heartbeat", "200ms", "--log-level", "silent"]);
    const b = run(["--region", "b", "--listen", `127.0.0.1:${pb}`, "--peers", `a=http://127.0.0.1:${pa}`, "--relay-ports", "41020-41039", "--heartbeat", "200ms", "--behaviour", "no-loop-guard", "--log-level", "silent"]);
    children.push(a, b);
    await waitFor(() => a.out().includes("listening") && b.out().includes("listening"), 20_000, `both listening (${a.err()}${b.err()})`);
    expect(a.out()).toContain(`relaywatch sfu a listening on http://127.0.0.1:${pa}`);
    // --engine auto (the default): mediasoup when its worker is here, else werift, and it says why.
    const chosen = resolveEngineName("auto");
    expect(a.out()).toContain(`media engine: ${chosen.engine} (auto: `);
    const state = (await (await fetch(`http://127.0.0.1:${pa}/v1/state`)).json()) as { engine: string; engineReason: string };
    expect(state.engine).toBe(chosen.engine);
    expect(state.engineReason).toBe(chosen.reason);
    expect(await (await fetch(`http://127.0.0.1:${pa}/metrics`)).text()).toMatch(new RegExp(`relaywatch_build_info\\{version="[^"]+",engine="${chosen.engine}"\\} 1`));
    await waitFor(async () => {
      const s = (await (await fetch(`http://127.0.0.1:${pb}/v1/state`)).json()) as { peers: { reachable: boolean }[]; behaviours: string[] };
      return s.peers.length === 1 && s.peers[0]?.reachable === true && s.behaviours.includes("no-loop-guard");
    }, 10_000, "b seeing a");
    await waitFor(async () => (await (await fetch(`http://127.0.0.1:${pa}/metrics`)).text()).includes('relaywatch_sfu_peer_reachable{peer="b"} 1'), 10_000, "a's metrics showing b reachable");
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 40_000);

  it("refuses missing secrets and bad flags with one line and exit code 2", async () => {
    const noSecret = run(["--region", "a", "--listen", "127.0.0.1:0", "--peers", ""], {});
    children.push(noSecret);
    expect(await noSecret.exited).toBe(2);
    expect(noSecret.err()).toMatch(/RELAYWATCH_TOKEN_SECRET/);
    const badPeers = run(["--region", "a", "--listen", "127.0.0.1:0", "--peers", "nonsense"]);
    children.push(badPeers);
    expect(await badPeers.exited).toBe(2);
    expect(badPeers.err()).toMatch(/--peers/);
  }, 40_000);
});
