// `relaywatch store migrate [--dry-run] --ttl-days N` through the real entry point, on the
// embedded store: a dry run prints the DDL and runs none of it; a migrate applies a new TTL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LATEST_VERSION } from "../../store/migrations.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-migrate-cli-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Each case starts the real CLI (a Node process loading every subcommand) several times. */
const CLI_CASE_TIMEOUT_MS = 180_000;
const TTL_QUERY = "SELECT name, engine_full FROM system.tables WHERE database = 'relaywatch' AND name = 'probe_results'";

describe("relaywatch store migrate", { timeout: CLI_CASE_TIMEOUT_MS }, () => {
  it("--dry-run prints CREATE for a fresh store, MODIFY TTL for a changed ttl, and changes nothing; migrate then applies it", async () => {
    const store = join(dir, "ch");
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(["store", ...args, "--store", store], { cwd: dir });

    const fresh = await cli("migrate", "--dry-run", "--ttl-days", "30");
    expect(fresh.stderr).toBe("");
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain("(nothing has run)");
    expect(fresh.stdout).toContain("CREATE TABLE IF NOT EXISTS relaywatch.probe_results\n");
    expect(fresh.stdout).toContain("TTL toDateTime(ts) + INTERVAL 30 DAY");
    expect(fresh.stdout).not.toContain("MODIFY TTL");

    expect((await cli("migrate", "--ttl-days", "30")).stdout).toContain(`schema at version ${LATEST_VERSION}, TTL 30 days`);

    const dry = await cli("migrate", "--dry-run", "--ttl-days", "7");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("ALTER TABLE relaywatch.probe_results MODIFY TTL toDateTime(ts) + INTERVAL 7 DAY;\n");
    expect(dry.stdout).toContain("ALTER TABLE relaywatch.probe_results_1m MODIFY TTL minute + INTERVAL 7 DAY;\n");
    expect(dry.stdout).not.toContain("CREATE");
    const still = await cli("query", "--format", "json", TTL_QUERY);
    expect(still.stdout).toContain("toIntervalDay(30)");

    const applied = await cli("migrate", "--ttl-days", "7");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("  probe_results: TTL 30 days -> 7 days\n");
    expect(applied.stdout).toContain(`schema at version ${LATEST_VERSION}, TTL 7 days`);
    expect((await cli("query", "--format", "json", TTL_QUERY)).stdout).toContain("toIntervalDay(7)");

    const nothing = await cli("migrate", "--dry-run", "--ttl-days", "7");
    expect(nothing.stdout).toContain(`nothing to do (schema at version ${LATEST_VERSION}, TTL 7 days)`);
  });
});
