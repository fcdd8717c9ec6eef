// Where this package's files are, in a source checkout and in an installed package alike:
// the directory that holds package.json, cli/bin.mjs and the shipped assets (dashboards/,
// lab/scenarios/). Sources run from <root>/core/…; compiled modules from <root>/dist/core/…
// (tsconfig.build.json), one level deeper. Never reads the environment.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(): string {
  const file = fileURLToPath(import.meta.url);
  // Compiled by `npm run build` (this file is then dist/core/package-root.js), or run from source.
  const depth = file.endsWith(".js") ? 2 : 1;
  return resolve(dirname(file), ...Array<string>(depth).fill(".."));
}
