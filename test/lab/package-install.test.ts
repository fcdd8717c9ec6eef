// The package as an operator gets it (issue 14): `npm pack` of this checkout (its prepack
// builds dist/), `npm install --omit=dev` of the tarball in an empty directory, then the
// installed `relaywatch` on plain Node — no TypeScript loader, no devDependency. Every
// subcommand's --help, --version, the shipped dashboards/rules/Alertmanager example, and a
// two-region world whose every process runs from the installed package. chdb is mapped by
// the analyzer (embedded store) and by no SFU or probe process.
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overviewSchema } from "../../core/analyzer-api.js";
import { installRelaywatch, type InstalledRelaywatch } from "../support/installed-package.js";
import { descendantPids } from "../support/process-tree.js";
import { waitFor } from "../support/ports.js";

const REPO = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "relaywatch-package-"));
let installed: InstalledRelaywatch;
let pkgRoot: string;

/** Loaded with --import into a relaywatch process: at exit it says whether libchdb was ever mapped. */
const MAPS_AT_EXIT = `import { readFileSync } from "node:fs";
process.on("exit", () => { process.stderr.write(readFileSync("/proc/self/maps", "utf8").includes("libchdb") ? "MAPPED:libchdb\\n" : "MAPPED:none\\n"); });
`;

function relaywatch(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [installed.bin, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
}

/** The names listed under "Commands:" in a --help text (without commander's own `help`). */
function subcommandsIn(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] ?? "").filter((n) => n !== "help");
}

beforeAll(() => {
  installed = installRelaywatch(dir);
  pkgRoot = dirname(dirname(installed.bin));
}, 900_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("the installed package (npm pack, npm install --omit=dev)", () => {
  it("is compiled JavaScript with no TypeScript loader or devDependency installed", () => {
    expect(existsSync(join(pkgRoot, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(pkgRoot, "cli", "main.ts"))).toBe(false);
    const modules = join(pkgRoot, "..");
    for (const dev of ["tsx", "typescript", "vitest", "@grafana/grafana-foundation-sdk"]) expect(existsSync(join(modules, dev)), dev).toBe(false);
  });

  it("--version prints package.json's version and maps no libchdb", () => {
    const hook = join(dir, "maps-at-exit.mjs");
    writeFileSync(hook, MAPS_AT_EXIT);
    const r = relaywatch(["--version"], { NODE_OPTIONS: `--import=${hook}` });
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe("MAPPED:none\n");
    // The hook works: a command that opens the embedded store maps it.
    const store = relaywatch(["store", "status", "--store", join(dir, "ch")], { NODE_OPTIONS: `--import=${hook}` });
    expect(store.stderr).toContain("MAPPED:libchdb");
  });

  it("--help of every subcommand, at every level, exits 0 with its usage", () => {
    const seen: string[] = [];
    const visit = (path: readonly string[]): void => {
      const r = relaywatch([...path, "--help"]);
      expect(r.status, `${path.join(" ")} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: relaywatch ${path.map((p) => `${p} `).join("")}`);
      seen.push(path.join(" "));
      for (const sub of subcommandsIn(r.stdout)) visit([...path, sub]);
    };
    visit([]);
    for (const top of ["up", "sfu", "probe", "analyze", "tui", "scenario", "lab", "store", "token", "dashboards", "store migrate"]) expect(seen).toContain(top);
  }, 300_000);

  it("ships the generated dashboards, Prometheus rules and Alertmanager example as committed; regenerating says what it needs", () => {
    const dirOut = relaywatch(["dashboards", "dir"]);
    const shipped = dirOut.stdout.trim();
    expect(shipped).toBe(join(pkgRoot, "dashboards"));
    const files = ["prometheus/relaywatch.rules.yml", "prometheus/prometheus.example.yml", "alertmanager/alertmanager.example.yml", "provisioning/datasources/relaywatch.yaml", "provisioning/dashboards/relaywatch.yaml"];
    const grafana = readdirSync(join(REPO, "dashboards", "grafana")).filter((f) => f.endsWith(".json"));
    expect(grafana.length).toBeGreaterThanOrEqual(4);
    for (const f of [...files, ...grafana.map((g) => `grafana/${g}`)]) {
      expect(readFileSync(join(shipped, f), "utf8"), f).toBe(readFileSync(join(REPO, "dashboards", f), "utf8"));
    }
    const build = relaywatch(["dashboards", "build", "--check"]);
    expect(build.status).toBe(1);
    expect(build.stderr).toMatch(/^relaywatch: regenerating dashboards needs the development dependency @grafana\/grafana-foundation-sdk .*\n$/);
    const am = relaywatch(["dashboards", "alertmanager", "--regions", "a-1,b-2"]);
    expect(am.status).toBe(0);
    expect(am.stdout).toContain("a-1");
    expect(relaywatch(["scenario", "list"]).stdout).toContain("incident-2024-02-07");
  });

  it("runs a two-region world from the installed binaries: every pair ok; SFUs and probes map no libchdb, the analyzer does", async () => {
    const dataDir = join(dir, "world");
    const up = spawn(process.execPath, [installed.bin, "up", "--no-tui", "--regions", "us-east,eu-central", "--engine", "werift", "--data-dir", dataDir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    up.stderr.setEncoding("utf8").on("data", (d: string) => (log += d));
    const exited = new Promise<number | null>((res) => up.once("close", (code) => { res(code); }));
    try {
      expect(await waitFor(() => /up: analyzer (http\S+)/.test(log), 120_000), `up did not start:\n${log}`).toBe(true);
      const analyzer = /up: analyzer (http\S+)/.exec(log)?.[1] ?? "";
      const auth = { headers: { authorization: `Bearer ${readFileSync(join(dataDir, "analyzer.token"), "utf8").trim()}` } };
      const pairs = async (): Promise<{ ok: boolean; text: string }> => {
        const o = overviewSchema.parse(await (await fetch(`${analyzer}/v1/overview`, auth)).json());
        return { ok: o.pairs.length === 2 && o.pairs.every((p) => p.status === "ok"), text: o.pairs.map((p) => `${p.src}>${p.dst} ${p.status}`).join("; ") };
      };
      expect(await waitFor(async () => (await pairs()).ok, 60_000), `every pair ok: ${(await pairs()).text}`).toBe(true);

      const kinds = new Map<string, boolean[]>();
      for (const pid of descendantPids(up.pid)) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        const kind = argv[2];
        // Node processes only: the world may run other programs too (a TURN server).
        if (argv[0] !== process.execPath || kind === undefined) continue;
        expect(argv[1], `${kind} runs the installed package`).toBe(installed.bin);
        kinds.set(kind, [...(kinds.get(kind) ?? []), readFileSync(`/proc/${pid}/maps`, "utf8").includes("libchdb")]);
      }
      expect(kinds.get("sfu")).toEqual([false, false]);
      expect(kinds.get("probe")).toEqual([false, false]);
      expect(kinds.get("analyze")).toEqual([true]);
    } finally {
      up.kill("SIGTERM");
      expect(await exited, log).toBe(0);
    }
  }, 300_000);
});
