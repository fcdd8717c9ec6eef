// `relaywatch scenario list|check|run`: lab scenarios (DESIGN's file format).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { formatDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { builtinScenarios } from "../../lab/scenario/builtin.js";
import { formatReport } from "../../lab/scenario/evaluate.js";
import { loadScenarioFile } from "../../lab/scenario/parse.js";
import { runScenario } from "../../lab/scenario/runner.js";
import type { Scenario } from "../../lab/scenario/schema.js";
import { lifecycleAction, type Life } from "../lifecycle.js";
import { checkEngineAvailable, checkWritableDir } from "../preflight.js";
import { runAction } from "../run-action.js";
import { WORLD_CLOSE_DEADLINE_MS } from "./up.js";

/** A file path, or the name of a built-in scenario. */
export function loadScenario(ref: string): { file: string; scenario: Scenario } {
  const builtin = builtinScenarios().find((b) => b.name === ref);
  if (builtin !== undefined) return { file: builtin.file, scenario: builtin.scenario };
  if (!existsSync(ref)) {
    throw new ConfigError("FILE", ref, `a readable scenario file or a built-in name (${builtinScenarios().map((b) => b.name).join(", ")})`);
  }
  return { file: ref, scenario: loadScenarioFile(ref) };
}

export function scenarioCommand(): Command {
  const cmd = new Command("scenario").description("Lab scenarios: list the built-in ones, check a file, run one");
  cmd
    .command("list")
    .description("List the built-in scenarios")
    .action(() => {
      for (const b of builtinScenarios()) {
        const s = b.scenario;
        process.stdout.write(`${b.name.padEnd(22)} ${formatDuration(s.duration).padStart(4)}  ${s.regions.length} regions  ${s.description ?? ""}\n`);
      }
    });
  cmd
    .command("check")
    .description("Validate a scenario file (or built-in name) without running it")
    .argument("<file>", "scenario YAML file or built-in name")
    .action(
      runAction((ref: string) => {
        const { file, scenario } = loadScenario(ref);
        process.stdout.write(
          `${file}: ok — ${scenario.name}, ${formatDuration(scenario.duration)}, ${scenario.regions.length} regions, ` +
            `${scenario.timeline.length} timeline events, ${scenario.expect.length} expectations\n`,
        );
        return Promise.resolve();
      }),
    );
  cmd
    .command("run")
    .description("Run a scenario in a local lab world and report each expectation (exit 0 only if all pass)")
    .argument("<file>", "scenario YAML file or built-in name (see `relaywatch scenario list`)")
    .option("--json", "print one JSON report on stdout: {scenario, passed, expectations, alerts}")
    .option("--data-dir <dir>", "where the world keeps its store and logs (default: a fresh temporary directory)")
    .option("--engine <name>", "media engine of the region nodes: auto (mediasoup when its worker is available, else werift), werift, mediasoup", "auto")
    .action(lifecycleAction({ kind: "task", closeDeadlineMs: WORLD_CLOSE_DEADLINE_MS }, runScenarioCommand));
  return cmd;
}

/** Scenario file, engine and data directory checked first; a signal stops the world and exits 128+n. */
async function runScenarioCommand(life: Life, ref: string, opts: { json?: boolean; dataDir?: string; engine: string }): Promise<number> {
  const { scenario } = loadScenario(ref);
  checkEngineAvailable("--engine", opts.engine, process.env["MEDIASOUP_WORKER_BIN"]);
  if (opts.dataDir !== undefined) checkWritableDir("--data-dir", opts.dataDir);
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), `relaywatch-scenario-${scenario.name}-`)));
  const t0 = Date.now();
  const running = runScenario(scenario, {
    dataDir,
    engine: opts.engine,
    signal: life.abort,
    onProgress: (m) => {
      process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}\n`);
    },
  });
  // The runner stops its world when it ends; on a signal the world stops at once and this waits for it.
  life.closers.push("scenario world", () => running.then(() => undefined, () => undefined), { timeoutMs: WORLD_CLOSE_DEADLINE_MS });
  const report = await running;
  process.stderr.write(`logs and store in ${dataDir}\n`);
  process.stdout.write(opts.json === true ? `${JSON.stringify(report)}\n` : formatReport(report));
  return report.passed ? 0 : 1;
}
