// The built-in scenarios shipped in lab/scenarios/: `relaywatch scenario list` shows them
// and `relaywatch scenario run NAME` finds them by name.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseScenario } from "./parse.js";
import type { Scenario } from "./schema.js";

export const BUILTIN_SCENARIO_DIR = join(import.meta.dirname, "../scenarios");

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
