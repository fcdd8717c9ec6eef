// Child-process entry for the `relaywatch sfu` command tests (cli/main.ts is wired by the
// lead; this runs the command exactly as main.ts will, without it).
import { register } from "tsx/esm/api";

register();
const { sfuCommand } = await import("../../cli/commands/sfu.ts");
await sfuCommand().parseAsync(process.argv.slice(2), { from: "user" });
