// Reads a scenario file. Every mistake is one line `FILE:LINE:COL: key.path: got …,
// expected …` — all of them, never a stack trace — because people write these by hand.
import { ConfigFileError, parseYamlFile, readYamlText } from "../../core/yaml-file.js";
import { scenarioSchema, type Scenario } from "./schema.js";

/** A scenario file with problems: one line per problem (see ConfigFileError). */
export class ScenarioError extends ConfigFileError {
  override name = "ScenarioError";
}

export function parseScenario(text: string, file = "scenario.yaml"): Scenario {
  try {
    return parseYamlFile(scenarioSchema, text, file);
  } catch (err) {
    throw asScenarioError(err);
  }
}

/** Reads and parses a scenario file (its size is checked before it is read). */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readYamlText(file);
  } catch (err) {
    throw asScenarioError(err);
  }
  return parseScenario(text, file);
}

function asScenarioError(err: unknown): unknown {
  return err instanceof ConfigFileError ? new ScenarioError(err.file, err.problems, { cause: err.cause }) : err;
}
