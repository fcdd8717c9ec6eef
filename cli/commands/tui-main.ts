// A stand-alone entry for `relaywatch tui` until cli/main.ts wires tuiCommand() in; the
// pseudo-terminal e2e test runs it. Same command, same options.
import { tuiCommand } from "./tui.js";

await tuiCommand().parseAsync(process.argv);
