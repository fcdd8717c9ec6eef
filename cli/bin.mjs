#!/usr/bin/env node
// The `relaywatch` executable: registers the TypeScript loader and runs cli/main.ts.
// Runs on the Node.js that npm puts first on PATH (the project pins Node 24).
import { register } from "tsx/esm/api";

const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(`relaywatch needs Node.js >= 22 (this is ${process.version}); run it through npm (npx relaywatch, npm start) to use the pinned Node 24\n`);
  process.exit(2);
}
register();
await import("./main.ts");
