// `relaywatch token agent` through the real entry point: what it prints is what the analyzer's
// ingest check (identify() then admitBatch(), as route.ts and probe-ingest.ts run them) takes
// for that region's agent, and refuses for any other region.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { admitBatch, DEFAULT_SKEW_WINDOW } from "../../analyzer/ingest/admission.js";
import { identify } from "../../analyzer/ingest/agent-token.js";
import { probe } from "../support/analyzer-fixtures.js";
import { runCli } from "../support/run-cli.js";

const ANALYZER_TOKEN = "analyzer-token-for-agent-test-0123";
const dir = mkdtempSync(join(tmpdir(), "relaywatch-token-agent-"));
const tokenFile = join(dir, "analyzer.token");
writeFileSync(tokenFile, `${ANALYZER_TOKEN}\n`);
/** No analyzer token from the test runner's own environment. */
const NO_ENV = { RELAYWATCH_ANALYZER_TOKEN: "", RELAYWATCH_ANALYZER_TOKEN_FILE: "" };
const NOW = Date.now();
const regions = new Set(["us-east", "eu-west", "ap-south"]);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Each case starts the real CLI (a Node process) once or more. */
const CLI_CASE_TIMEOUT_MS = 120_000;

/** The region the analyzer's ingest admits a batch for, or why it refuses it. */
function ingestCheck(token: string, pair: { src: string; dst: string }): string {
  const who = identify(ANALYZER_TOKEN, token);
  if (who.kind !== "agent") return `unauthorized (${who.kind})`;
  const v = admitBatch([probe(pair.src, pair.dst, "ok", NOW)], { now: NOW, skew: DEFAULT_SKEW_WINDOW, regions, agentRegion: who.region });
  return v.ok ? `admitted for ${who.region}` : v.reason;
}

describe("relaywatch token agent", { timeout: CLI_CASE_TIMEOUT_MS }, () => {
  it("mints a token the analyzer's ingest takes for that region's pairs and refuses for another region", async () => {
    const r = await runCli(["token", "agent", "--region", "eu-west", "--secret-file", tokenFile], { env: NO_ENV });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^rwa1\.eu-west\.[A-Za-z0-9_-]{43}$/);
    expect(ingestCheck(token, { src: "us-east", dst: "eu-west" })).toBe("admitted for eu-west");
    expect(ingestCheck(token, { src: "eu-west", dst: "us-east" })).toBe("foreign_pair");
    expect(ingestCheck(token.replace(".eu-west.", ".us-east."), { src: "eu-west", dst: "us-east" })).toBe("unauthorized (unknown)");
    expect(identify("another-analyzer-token-0000", token)).toEqual({ kind: "unknown" });
  });

  it("takes the analyzer token from RELAYWATCH_ANALYZER_TOKEN_FILE, like the analyzer", async () => {
    const r = await runCli(["token", "agent", "--region", "us-east"], { env: { ...NO_ENV, RELAYWATCH_ANALYZER_TOKEN_FILE: tokenFile } });
    expect(r.code).toBe(0);
    expect(ingestCheck(r.stdout.trim(), { src: "eu-west", dst: "us-east" })).toBe("admitted for us-east");
  });

  it("without a token, with a short one or a bad region is a usage error (exit 2) that never echoes the token", async () => {
    const shortFile = join(dir, "short");
    writeFileSync(shortFile, "short-secret\n");
    const [none, short, badRegion] = await Promise.all([
      runCli(["token", "agent", "--region", "eu-west"], { env: NO_ENV }),
      runCli(["token", "agent", "--region", "eu-west", "--secret-file", shortFile], { env: NO_ENV }),
      runCli(["token", "agent", "--region", "EU West", "--secret-file", tokenFile], { env: NO_ENV }),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--secret-file or RELAYWATCH_ANALYZER_TOKEN");
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("at least 16 characters");
    expect(short.stderr).not.toContain("short-secret");
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain('--region: got "EU West"');
    expect(badRegion.stdout).toBe("");
  });
});
