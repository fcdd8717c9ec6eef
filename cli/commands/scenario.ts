// `relaywatch scenario list|check|run`: lab scenarios (DESIGN's file format).
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { formatDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { builtinScenarios } from "../../lab/scenario/builtin.js";
import { parseScenario } from "../../lab/scenario/parse.js";
import type { Scenario } from "../../lab/scenario/schema.js";
import { runAction } from "../run-action.js";

/** A file path, or the name of a built-in scenario. */
export function loadScenario(ref: string): { file: string; scenario: Scenario } {
  const builtin = builtinScenarios().find((b) => b.name === ref);
  if (builtin !== undefined) return { file: builtin.file, scenario: builtin.scenario };
  let text: string;
  try {
    text = readFileSync(ref, "utf8");
  } catch {
    throw new ConfigError("FILE", ref, `a readable scenario file or a built-in name (${builtinScenarios().map((b) => b.name).join(", ")})`);
  }
  return { file: ref, scenario: parseScenario(text, ref) };
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
    .description("Run a scenario and report each expectation (not implemented yet)")
    .argument("<file>")
    .option("--json", "machine-readable report")
    .action(() => {
      process.stderr.write("relaywatch scenario run: not implemented yet\n");
      process.exitCode = 2;
    });
  return cmd;
}
