// `relaywatch probe --once --json` end to end in-process: the command against real
// loopback WHIP/WHEP servers (one shared werift engine), with a second region's agent
// publishing so the round can succeed.
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { probeCommand } from "../../cli/commands/probe.js";
import type { ProbeResult } from "../../core/probe-result.js";
import { ProbeAgent } from "../../probes/agent.js";
import { emptySinkStats, type ProbeSink } from "../../probes/delivery/sink.js";
import { OneEngineSfu } from "../support/one-engine-sfu.js";

const nullSink: ProbeSink = { name: "null", submit: () => undefined, stats: emptySinkStats, close: () => Promise.resolve() };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function runCli(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  let stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  await probeCommand().exitOverride().parseAsync(args, { from: "user" });
  vi.restoreAllMocks();
  const code: unknown = process.exitCode;
  return { stdout, exitCode: code === undefined ? 0 : Number(code) };
}

describe("relaywatch probe --once --json", () => {
  it("prints every pair's result and exits 0 when all are ok", async () => {
    const sfu = await OneEngineSfu.start(["us-west", "eu-central"], { min: 44_000, max: 44_099 });
    cleanups.push(() => sfu.close());
    const other = new ProbeAgent({ region: "us-west", regions: ["us-west", "eu-central"], sfuUrl: sfu.url("us-west"), intervalMs: 500, rotateMs: 10_000, sink: nullSink, registry: new Registry() });
    cleanups.push(() => other.close());
    other.start();
    const { stdout, exitCode } = await runCli([
      "--region", "eu-central", "--regions", "us-west,eu-central", "--sfu", sfu.url("eu-central"), "--interval", "500ms", "--rotate", "10s", "--once", "--json", "--log-level", "silent",
    ]);
    const out = JSON.parse(stdout) as { region: string; allOk: boolean; results: ProbeResult[]; publications: { track: string; phase: string }[] };
    expect(exitCode).toBe(0);
    expect(out.region).toBe("eu-central");
    expect(out.allOk).toBe(true);
    expect(out.results).toHaveLength(1);
    expect(out.results[0]).toMatchObject({ src: "us-west", dst: "eu-central", status: "ok", relayPath: ["us-west", "eu-central"] });
    expect(out.publications.some((p) => p.phase === "live" && p.track.startsWith("probe/eu-central."))).toBe(true);
  }, 30_000);

  it("exits 1 with the failing pairs when the other region publishes nothing", async () => {
    const sfu = await OneEngineSfu.start(["us-west", "eu-central"], { min: 44_100, max: 44_199 });
    cleanups.push(() => sfu.close());
    const { stdout, exitCode } = await runCli([
      "--region", "eu-central", "--regions", "us-west,eu-central", "--sfu", sfu.url("eu-central"), "--interval", "500ms", "--rotate", "10s", "--once", "--json", "--log-level", "silent",
    ]);
    const out = JSON.parse(stdout) as { allOk: boolean; results: ProbeResult[] };
    expect(exitCode).toBe(1);
    expect(out.results[0]).toMatchObject({ src: "us-west", status: "http_error" });
    expect(out.results[0]?.reason).toMatch(/^HTTP 404 /);
  }, 40_000);

  it("names a bad option value and exits 2", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const { exitCode } = await runCli(["--region", "EU", "--sfu", "http://127.0.0.1:1", "--once"]);
    expect(exitCode).toBe(2);
  });
});
