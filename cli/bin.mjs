#!/usr/bin/env node
// The `relaywatch` executable, for an installed package and a source checkout alike.
// - Installed (`npm pack` → `npm install`): runs the compiled CLI, dist/cli/main.js (built by
//   `npm run build`, which `npm pack` runs through `prepack`), on plain Node — no TypeScript
//   loader, no devDependency.
// - Source checkout (cli/main.ts is beside this file): runs the sources through tsx, a
//   devDependency, so a fresh clone needs no build step (`npm ci && npx relaywatch up`) and
//   never runs a stale dist/ left over from an earlier build. RELAYWATCH_FROM_DIST=1 runs the
//   compiled dist/ of the checkout instead (after `npm run build`; the startup bench does),
//   and every process a command starts inherits it.
// Runs on the Node.js that npm puts first on PATH (the project pins Node 24).
import { existsSync } from "node:fs";

const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(`relaywatch needs Node.js >= 22 (this is ${process.version}); run it through npm (npx relaywatch, npm start) to use the pinned Node 24\n`);
  process.exit(2);
}
const fromDist = process.env.RELAYWATCH_FROM_DIST === "1";
if (!fromDist && existsSync(new URL("./main.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
} else if (existsSync(new URL("../dist/cli/main.js", import.meta.url))) {
  await import("../dist/cli/main.js");
} else {
  process.stderr.write("relaywatch: no compiled dist/cli/main.js here: run `npm run build` first\n");
  process.exit(1);
}
