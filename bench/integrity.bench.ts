// Integrity bench (issue 13): a real `relaywatch analyze` process acknowledges a batch, is
// SIGKILLed at once, restarts on the same data directory and gets the same batch again (an
// agent whose answer was lost). Over TRIALS trials: results lost (acknowledged, not in the
// store) and duplicated (stored more than once) — both must be 0 — and the restart time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueAgentToken } from "../analyzer/ingest/agent-token.js";
import { AnalyzerProcess, killTrial } from "../test/integrity/analyzer-process.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { quantile, sortedCopy, type Bench } from "./harness.js";

/** 20 trials: the acceptance bar of issue 13. */
const TRIALS = 20;
/** 200 windows a trial: a few seconds of a large mesh, one POST. */
const RESULTS_PER_TRIAL = 200;
const TOKEN = "integrity-bench-analyzer-token-0123";

const bench: Bench = {
  name: "integrity",
  description: `analyzer SIGKILLed right after acknowledging, restarted, batch re-sent: results lost and duplicated over ${TRIALS} trials`,
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-integrity-bench-"));
    const analyzer = await AnalyzerProcess.start({ dir, token: TOKEN, regions: ["us-east", "eu-west"] });
    const agentToken = issueAgentToken(TOKEN, "eu-west");
    const restartMs: number[] = [];
    let acked = 0;
    let resentNoOps = 0;
    try {
      for (let trial = 1; trial <= TRIALS; trial++) {
        const results = makeProbeResults(2 * RESULTS_PER_TRIAL, { start: Date.now() - 60_000, stepMs: 3, seed: trial, regions: ["us-east", "eu-west"] })
          .filter((r) => r.dst === "eu-west")
          .map((r) => ({ ...r, track: `probe/trial-${trial}` }));
        const t0 = performance.now();
        const t = await killTrial(analyzer, agentToken, results, `bench:${trial}`);
        restartMs.push(performance.now() - t0);
        acked += t.acked;
        if (t.resentStatus === 200 && t.resentDuplicates === results.length) resentNoOps++;
        report.progress(`trial ${trial}/${TRIALS}: acked ${t.acked}, re-sent → ${t.resentStatus} (${t.resentDuplicates} duplicates)`);
      }
      await analyzer.kill("SIGTERM");
      const rows = await analyzer.rowsByTrack();
      let lost = 0;
      let duplicated = 0;
      for (let trial = 1; trial <= TRIALS; trial++) {
        const n = rows.get(`probe/trial-${trial}`) ?? 0;
        lost += Math.max(0, RESULTS_PER_TRIAL - n);
        duplicated += Math.max(0, n - RESULTS_PER_TRIAL);
      }
      report.figure("trials", TRIALS, "trials");
      report.figure("results acknowledged", acked, "results", { note: `expected ${TRIALS * RESULTS_PER_TRIAL}` });
      report.figure("results lost (acknowledged, not stored)", lost, "results", { note: "goal 0" });
      report.figure("results duplicated (stored twice)", duplicated, "results", { note: "goal 0" });
      report.figure("re-sent batches that were no-ops", resentNoOps, "batches", { note: `of ${TRIALS}` });
      const sorted = sortedCopy(restartMs);
      report.figure("ack → SIGKILL → restart → re-send, p50", quantile(sorted, 0.5), "ms");
      report.figure("ack → SIGKILL → restart → re-send, max", quantile(sorted, 1), "ms");
    } finally {
      await analyzer.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
