// `promtool check metrics` on what Prometheus really scrapes: a real `relaywatch sfu`, a real
// `relaywatch analyze` and a real `relaywatch probe --metrics-port` (publishing into that SFU),
// each started through the CLI entry point. Every finding fails the test (non-counters named
// *_total, a quantile label outside a summary, missing units...). Also checked: the standard
// unprefixed process_*/nodejs_* metrics and relaywatch_build_info on each process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELAYWATCH_VERSION } from "../../core/process-metrics.js";
import { portWindow } from "../conformance/engine-helpers.js";
import { findBinary } from "../support/binaries.js";
import { freePort, waitFor } from "../support/ports.js";
import { skipWithout } from "../support/real-part.js";
import { startCli, type RunningCli } from "../support/run-cli.js";
import { SECRETS } from "../sfu/sfu-kit.js";

const promtool = findBinary("promtool");
const skip = skipWithout(promtool !== null, "promtool (Debian package prometheus)");

/** Feeds `text` to `promtool check metrics` on stdin: its exit code and findings. */
function checkMetrics(binary: string, text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.once("error", reject);
    child.once("close", (code) => { resolve({ code, output }); });
    child.stdin.end(text);
  });
}

const cwd = mkdtempSync(join(tmpdir(), "relaywatch-promtool-"));
const env = { RELAYWATCH_TOKEN_SECRET: SECRETS.tokenSecret, RELAYWATCH_RELAY_SECRET: SECRETS.relaySecret };
const running: RunningCli[] = [];
const urls = { sfu: "", analyzer: "", probe: "" };

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

async function started(cli: RunningCli, url: string): Promise<void> {
  running.push(cli);
  const up = await waitFor(() => fetch(`${url}/metrics`).then((r) => r.ok, () => false), 30_000);
  expect(up, `${url}: ${cli.stderr()}`).toBe(true);
}

describe.skipIf(skip)("promtool check metrics on scraped /metrics", () => {
  beforeAll(async () => {
    const [sfuPort, analyzerPort, probePort] = [await freePort(), await freePort(), await freePort()];
    const relay = portWindow(11);
    urls.sfu = `http://127.0.0.1:${sfuPort}`;
    urls.analyzer = `http://127.0.0.1:${analyzerPort}`;
    urls.probe = `http://127.0.0.1:${probePort}`;
    await started(startCli(["sfu", "--region", "eu-west", "--listen", `127.0.0.1:${sfuPort}`, "--relay-ports", `${relay.min}-${relay.max}`, "--log-level", "warn"], { cwd, env }), urls.sfu);
    await started(startCli(["analyze", "--listen", `127.0.0.1:${analyzerPort}`, "--no-store", "--log-level", "warn"], { cwd, env }), urls.analyzer);
    await started(startCli(["probe", "--region", "eu-west", "--regions", "eu-west,us-west", "--sfu", urls.sfu, "--interval", "500ms", "--rotate", "5s",
      "--metrics-port", String(probePort), "--log-level", "warn"], { cwd, env }), urls.probe);
    // Some traffic first, so labelled series exist: the probe's publish, the SFU's WHIP/WHEP routes.
    await waitFor(async () => /relaywatch_probe_windows_total\{/.test(await scrape(urls.probe)), 20_000);
  }, 90_000);

  afterAll(async () => {
    for (const cli of running.reverse()) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGTERM");
      const timer = setTimeout(() => cli.child.kill("SIGKILL"), 5_000);
      await cli.exited;
      clearTimeout(timer);
    }
    rmSync(cwd, { recursive: true, force: true });
  }, 20_000);

  for (const role of ["sfu", "analyzer", "probe"] as const) {
    it(`the ${role}'s /metrics has no finding, standard process_* and nodejs_* metrics and relaywatch_build_info`, async () => {
      const text = await scrape(urls[role]);
      const result = await checkMetrics(promtool ?? "promtool", text);
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
      expect(text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(text).not.toMatch(/^relaywatch_\w*_process_/m);
      expect(text).toMatch(new RegExp(`^relaywatch_build_info\\{version="${RELAYWATCH_VERSION.replaceAll(".", "\\.")}",engine="[a-z]+"\\} 1$`, "m"));
      expect(text, "the role's own metrics are there too").toMatch(new RegExp(`^relaywatch_${role}_`, "m"));
    }, 30_000);
  }
});
