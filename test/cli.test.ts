import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LATEST_VERSION } from "../store/migrations.js";
import { runCli } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-cli-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("relaywatch CLI", () => {
  it("--help lists every subcommand DESIGN plans", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const sub of ["up", "sfu", "probe", "analyze", "tui", "scenario", "lab", "store", "dashboards"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${sub}\\b`, "m"));
    }
  });

  it("store migrate, status and query work on the embedded store; migrate twice is a no-op", async () => {
    const store = join(dir, "ch");
    const first = await runCli(["store", "migrate", "--store", store]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("applied 1:");
    expect(first.stdout).toContain(`schema at version ${LATEST_VERSION}`);
    const second = await runCli(["store", "migrate", "--store", store]);
    expect(second.stdout).toContain(`nothing to do: already at version ${LATEST_VERSION}`);
    const status = await runCli(["store", "status", "--store", store, "--json"], { cwd: dir });
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { reachable: boolean; version: number; pending: unknown[]; rows: Record<string, number> };
    expect(s).toMatchObject({ reachable: true, version: LATEST_VERSION, pending: [] });
    expect(s.rows["schema_migrations"]).toBe(LATEST_VERSION);
    const q = await runCli(["store", "query", "--store", store, "--format", "json", "SELECT version FROM relaywatch.schema_migrations ORDER BY version"]);
    expect(q.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it("a bad query is one clear line and exit 1, not a stack trace", async () => {
    const r = await runCli(["store", "query", "--store", join(dir, "ch2"), "SELEC 1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^relaywatch: Code: 62\. .*Syntax error/);
    expect(r.stderr).not.toContain("    at ");
  });

  it("a bad config file names the key and exits 2", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "store:\n  ttlDays: -3\n");
    const r = await runCli(["store", "status", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`relaywatch: ${file}:2:12: store.ttlDays: got -3, expected a number greater than 0\n`);
  });

  it("an unreachable ClickHouse server is reported as such, without its password", async () => {
    const r = await runCli(["store", "status", "--store", "http://ops:hunter2@127.0.0.1:1/rw"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("UNREACHABLE");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });

  it("an unknown subcommand is a usage error naming it: one line pointing at --help, exit 2", async () => {
    const r = await runCli(["upp"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("relaywatch: unknown command 'upp' (Did you mean up?) (see `relaywatch --help`)\n");
    expect(r.stdout).toBe("");
  });

  it("--help and --version exit 0", async () => {
    expect((await runCli(["sfu", "--help"])).code).toBe(0);
    const v = await runCli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe("0.1.0\n");
  });
});
