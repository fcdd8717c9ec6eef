// A launcher process for the orphan test: starts ready-children through a Supervisor,
// prints their pids as one JSON line, then waits to be killed.
import { join } from "node:path";
import { Supervisor } from "../../lab/launcher/supervisor.js";

const ports = process.argv.slice(2).map(Number);
const sup = new Supervisor();
for (const [i, port] of ports.entries()) {
  await sup.start({ name: `c${i}`, command: process.execPath, args: ["--import", "tsx", join(import.meta.dirname, "ready-child.ts"), String(port)], readyUrl: `http://127.0.0.1:${port}/` });
}
// And a real relaywatch command: the analyzer without a store, ready on /healthz.
const analyzerPort = Number(process.env["ANALYZER_PORT"]);
await sup.start({ name: "analyzer", command: process.execPath, args: [join(import.meta.dirname, "../../cli/bin.mjs"), "analyze", "--no-store", "--listen", `127.0.0.1:${analyzerPort}`, "--log-level", "silent"], readyUrl: `http://127.0.0.1:${analyzerPort}/healthz` }, 30_000);
process.stdout.write(`${JSON.stringify(sup.info().map((p) => p.pid))}\n`);
setInterval(() => undefined, 1000);
