// The built-in scenarios shipped in lab/scenarios/: `relaywatch scenario list` shows them
// and `relaywatch scenario run NAME` finds them by name.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { packageRoot } from "../../core/package-root.js";
import { parseScenario } from "./parse.js";
import type { Scenario } from "./schema.js";

/** lab/scenarios/ of this checkout or installed package (the package ships them; compiled code runs from dist/). */
export const BUILTIN_SCENARIO_DIR = join(packageRoot(), "lab", "scenarios");

export interface BuiltinScenario {
  name: string;
  file: string;
  scenario: Scenario;
}

export function builtinScenarios(dir = BUILTIN_SCENARIO_DIR): BuiltinScenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      return { name: basename(f, ".yaml"), file, scenario: parseScenario(readFileSync(file, "utf8"), file) };
    });
}
