// The `relaywatch` command: one entry, one subcommand per component. This is the only
// place (with tests and benches) that wires components together and reads process.env.
import { Command } from "commander";
import { exitWithParent } from "./exit-with-parent.js";
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
    .showHelpAfterError()
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
  return program;
}

exitWithParent();
await buildProgram().parseAsync(process.argv);
