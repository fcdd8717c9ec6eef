// Loading relaywatch.yaml for commands: --config FILE, else ./relaywatch.yaml if present,
// else defaults. Environment overrides are read here and nowhere else.
import { existsSync, readFileSync } from "node:fs";
import { parseConfigYaml, type RelaywatchConfig } from "../core/config.js";
import { ConfigError } from "../core/errors.js";

export const DEFAULT_CONFIG_FILE = "relaywatch.yaml";

export function loadConfig(file: string | undefined): RelaywatchConfig {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let text = "";
  if (path !== undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new ConfigError("--config", path, "a readable YAML file");
    }
  }
  const config = parseConfigYaml(text, path ?? DEFAULT_CONFIG_FILE);
  const envStore = process.env["RELAYWATCH_STORE"];
  if (envStore !== undefined && envStore !== "") config.store.url = envStore;
  return config;
}
