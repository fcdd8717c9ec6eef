// The `relaywatch` command: one entry, one subcommand per component. This is the only
// place (with tests and benches) that wires components together and reads process.env.
import { Command, CommanderError } from "commander";
import { exitWithParent } from "./exit-with-parent.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, describeFailure } from "./lifecycle.js";
import { analyzeCommand } from "./commands/analyze.js";
import { dashboardsCommand } from "./commands/dashboards.js";
import { labCommand } from "./commands/lab.js";
import { probeCommand } from "./commands/probe.js";
import { scenarioCommand } from "./commands/scenario.js";
import { sfuCommand } from "./commands/sfu.js";
import { storeCommand } from "./commands/store.js";
import { tokenCommand } from "./commands/token.js";
import { tuiCommand } from "./commands/tui.js";
import { upCommand } from "./commands/up.js";

export function buildProgram(): Command {
  const program = new Command("relaywatch")
    .description("Observability and relay diagnostics for multi-region WebRTC SFUs")
    .version("0.1.0")
    .configureHelp({ sortSubcommands: false });

  program.addCommand(upCommand());
  program.addCommand(sfuCommand());
  program.addCommand(probeCommand());
  program.addCommand(analyzeCommand());
  program.addCommand(tuiCommand());
  program.addCommand(scenarioCommand());
  program.addCommand(labCommand());
  program.addCommand(storeCommand());
  program.addCommand(tokenCommand());
  program.addCommand(dashboardsCommand());
  usageErrorsExit2(program);
  return program;
}

/**
 * Commander's own usage errors (unknown option, missing argument, bad choice) become one
 * line on stderr and exit code 2, like every other usage error; help and version exit 0.
 * Set on every command: addCommand() does not pass these settings down.
 */
function usageErrorsExit2(cmd: Command): void {
  cmd.exitOverride().configureOutput({
    outputError: (text, write) => { write(`relaywatch: ${text.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (see \`relaywatch ${commandPath(cmd)}--help\`)\n`); },
  });
  for (const sub of cmd.commands) usageErrorsExit2(sub);
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c = cmd; c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.map((n) => `${n} `).join("");
}

/** 500 ms after the action returned (its closes are done or given up on): exit even if a handle lingers. */
const EXIT_GRACE_MS = 500;

exitWithParent();
try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else {
    process.stderr.write(`relaywatch: ${describeFailure(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
setTimeout(() => { process.exit(); }, EXIT_GRACE_MS).unref();
