// The systemd units in deploy/systemd/ (issue 14): `systemd-analyze verify` accepts each one
// without a single complaint, and every flag a unit or its example environment file passes
// is one its relaywatch subcommand has. verify needs ExecStart's binary to exist: the test
// points it at this checkout's cli/bin.mjs (the units name /usr/local/bin/relaywatch, where
// `npm install -g` puts it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { skipWithout } from "../support/real-part.js";
import { runCli } from "../support/run-cli.js";

const REPO = resolve(import.meta.dirname, "../..");
const UNITS_DIR = join(REPO, "deploy", "systemd");
const INSTALLED_BIN = "/usr/local/bin/relaywatch";
const hasVerify = spawnSync("systemd-analyze", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "relaywatch-units-"));
const units = readdirSync(UNITS_DIR).filter((f) => f.endsWith(".service")).sort();

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** systemd-analyze verify of one unit text, with ExecStart's binary pointed at this checkout: its exit code and every line it printed. */
function verify(name: string, text: string): { code: number | null; output: string } {
  const file = join(dir, name);
  writeFileSync(file, text.replaceAll(INSTALLED_BIN, join(REPO, "cli", "bin.mjs")));
  const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe.skipIf(skipWithout(hasVerify, "systemd-analyze (the systemd package)"))("deploy/systemd units", () => {
  it("has the SFU, probe agent and analyzer units", () => {
    expect(units).toEqual(["relaywatch-analyzer.service", "relaywatch-probe.service", "relaywatch-sfu.service"]);
  });

  it.each(units)("%s passes systemd-analyze verify with no message", (name) => {
    const r = verify(name, readFileSync(join(UNITS_DIR, name), "utf8"));
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("verify does report a unit it cannot accept (the check above can fail)", () => {
    const broken = readFileSync(join(UNITS_DIR, "relaywatch-sfu.service"), "utf8").replace("Type=exec", "Type=eventually");
    expect(verify("broken-sfu.service", broken).output).toContain("Failed to parse service type");
    const noBinary = verify("nobin-sfu.service", readFileSync(join(UNITS_DIR, "relaywatch-sfu.service"), "utf8").replace(INSTALLED_BIN, "/nonexistent/relaywatch"));
    expect(noBinary.code).not.toBe(0);
  });

  it.each(units)("every flag %s passes (ExecStart and its example environment) is one its subcommand has", async (name) => {
    const text = readFileSync(join(UNITS_DIR, name), "utf8");
    const sub = new RegExp(`^ExecStart=${INSTALLED_BIN} (\\w+) `, "m").exec(text)?.[1];
    expect(sub).toBeDefined();
    const help = (await runCli([sub ?? "", "--help"])).stdout;
    // The command line: ExecStart= and the example RELAYWATCH_<KIND>_ARGS= it expands.
    const commandLines = text.split("\n").filter((l) => l.startsWith("ExecStart=") || /^#\s+RELAYWATCH_\w+_ARGS=/.test(l)).join("\n");
    const flags = new Set([...commandLines.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]));
    expect(flags.size).toBeGreaterThan(1);
    for (const flag of flags) expect(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, "m").test(help), `${sub} has ${flag}`).toBe(true);
  });
});
