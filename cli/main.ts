// The `relaywatch` command: one entry, one subcommand per component. This is the only
// place (with tests and benches) that wires components together and reads process.env.
// Subcommands load lazily: `--version` and `--help` load commander and nothing of ours,
// and a command loads its own module only (an SFU never loads the store, Ink or chdb).
import { Command, CommanderError } from "commander";
import { exitWithParent } from "./exit-with-parent.js";
import { RELAYWATCH_VERSION } from "../core/version.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, describeFailure } from "./lifecycle.js";

interface Subcommand {
  name: string;
  /** The line `relaywatch --help` shows; the command's own --help has its full description. */
  summary: string;
  load: () => Promise<Command>;
}

/** Every subcommand, in help order. To add one: a line here; its module is imported only when it runs. */
const SUBCOMMANDS: readonly Subcommand[] = [
  { name: "up", summary: "Start the whole local world (regions, WAN emulator, probes, analyzer) and the TUI", load: async () => (await import("./commands/up.js")).upCommand() },
  { name: "sfu", summary: "Run a reference SFU region node", load: async () => (await import("./commands/sfu.js")).sfuCommand() },
  { name: "probe", summary: "Run a synthetic probe agent for one region", load: async () => (await import("./commands/probe.js")).probeCommand() },
  { name: "analyze", summary: "Run the analyzer: relay graph, detectors, alerts, live API", load: async () => (await import("./commands/analyze.js")).analyzeCommand() },
  { name: "tui", summary: "On-call terminal dashboard: live from an analyzer, or replayed from the store", load: async () => (await import("./commands/tui.js")).tuiCommand() },
  { name: "scenario", summary: "Lab scenarios: list the built-in ones, check a file, run one", load: async () => (await import("./commands/scenario.js")).scenarioCommand() },
  { name: "lab", summary: "Lab tools: the WAN emulator's controls", load: async () => (await import("./commands/lab.js")).labCommand() },
  { name: "store", summary: "ClickHouse store: migrate, status, query", load: async () => (await import("./commands/store.js")).storeCommand() },
  { name: "action", summary: "On-call mitigations (loop-break, override-isolation, behaviours, drain): shown, confirmed, run, verified", load: async () => (await import("./commands/action.js")).actionCommand() },
  { name: "incident", summary: "Incidents from the store: list them, report one as a postmortem skeleton", load: async () => (await import("./commands/incident.js")).incidentCommand() },
  { name: "token", summary: "WHIP/WHEP bearer tokens (mint, inspect) and probe agent tokens", load: async () => (await import("./commands/token.js")).tokenCommand() },
  { name: "dashboards", summary: "Grafana dashboards, Prometheus rules and the Alertmanager example", load: async () => (await import("./commands/dashboards.js")).dashboardsCommand() },
];

/**
 * The program for these arguments: the subcommand they name is loaded and registered in
 * full; every other one is a placeholder with its name and summary (for the command list
 * and commander's "did you mean"). `relaywatch help NAME` loads NAME.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("relaywatch")
    .description("Observability and relay diagnostics for multi-region WebRTC SFUs")
    .version(RELAYWATCH_VERSION)
    .configureHelp({ sortSubcommands: false });
  const wanted = selectedSubcommand(argv);
  for (const sub of SUBCOMMANDS) {
    const cmd = sub.name === wanted ? await sub.load() : new Command(sub.name);
    program.addCommand(cmd.summary(sub.summary));
  }
  usageErrorsExit2(program);
  return program;
}

/** The subcommand named by the arguments (after node and the script), if any: the first non-option word; for `help NAME`, NAME. */
function selectedSubcommand(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
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

/**
 * `relaywatch … | head`: the reader went away. Like any Unix tool, stop quietly (exit 0)
 * instead of an EPIPE stack trace; other stdout errors are failures.
 */
function quietOnClosedPipe(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(EXIT_OK);
    process.stderr.write(`relaywatch: writing to stdout: ${err.message}\n`);
    process.exit(EXIT_FAILURE);
  });
}

exitWithParent();
quietOnClosedPipe();
try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else {
    process.stderr.write(`relaywatch: ${describeFailure(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
setTimeout(() => { process.exit(); }, EXIT_GRACE_MS).unref();
