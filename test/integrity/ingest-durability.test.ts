// Issue 13, on real processes: what the analyzer acknowledged survives SIGKILL (exactly N
// rows after a restart on the same data directory), and the same batch re-sent after the
// restart is a no-op (still N). Runs the `relaywatch analyze` CLI with an analyzer token; the
// batch comes with a region-bound agent token, as a probe agent sends it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { makeProbeResults } from "../support/store-fixtures.js";
import { AnalyzerProcess, killTrial } from "./analyzer-process.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-integrity-"));
const TOKEN = "integrity-analyzer-token-0123456789";
let analyzer: AnalyzerProcess | null = null;
afterAll(async () => {
  await analyzer?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** `n` windows into eu-west (what eu-west's agent may report), recent enough to be admitted, on a track of their own. */
function windowsIntoEuWest(n: number, trial: number) {
  return makeProbeResults(2 * n, { start: Date.now() - 120_000, stepMs: 7, seed: trial, regions: ["us-east", "eu-west"] })
    .filter((r) => r.dst === "eu-west")
    .map((r) => ({ ...r, track: `probe/trial-${trial}` }));
}

describe("the analyzer killed with SIGKILL right after acknowledging", () => {
  it("has exactly N rows after a restart, and still N after the same batch is re-sent", async () => {
    analyzer = await AnalyzerProcess.start({ dir, token: TOKEN, regions: ["us-east", "eu-west"] });
    const agentToken = issueAgentToken(TOKEN, "eu-west");
    const trials = [[1, 100], [2, 1000]] as const;
    for (const [trial, n] of trials) {
      const t = await killTrial(analyzer, agentToken, windowsIntoEuWest(n, trial), `integrity:${trial}`);
      expect(t, `trial ${trial}`).toEqual({ acked: n, resentStatus: 200, resentDuplicates: n });
    }
    await analyzer.kill("SIGTERM");
    const rows = await analyzer.rowsByTrack();
    for (const [trial, n] of trials) expect(rows.get(`probe/trial-${trial}`), `rows of trial ${trial}`).toBe(n);
  }, 300_000);
});
