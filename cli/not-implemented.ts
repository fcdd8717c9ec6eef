// Subcommands planned in DESIGN but not built yet: they say so and exit 2, never fake output.
import { Command } from "commander";

export function notImplementedCommand(name: string, description: string): Command {
  return new Command(name)
    .description(`${description} (not implemented yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .action(() => {
      process.stderr.write(`relaywatch ${name}: not implemented yet\n`);
      process.exitCode = 2;
    });
}
