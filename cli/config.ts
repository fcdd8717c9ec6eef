// Loading relaywatch.yaml for commands: --config FILE, else ./relaywatch.yaml if present,
// else defaults. Environment overrides are read here and nowhere else.
import { existsSync } from "node:fs";
import { loadConfigFile, parseConfigYaml, type RelaywatchConfig } from "../core/config.js";

export const DEFAULT_CONFIG_FILE = "relaywatch.yaml";

export function loadConfig(file: string | undefined): RelaywatchConfig {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  // Size-checked before it is read; every problem is reported as FILE:LINE:COL (core/yaml-file.ts).
  const config = path === undefined ? parseConfigYaml("", DEFAULT_CONFIG_FILE) : loadConfigFile(path);
  const envStore = process.env["RELAYWATCH_STORE"];
  if (envStore !== undefined && envStore !== "") config.store.url = envStore;
  return config;
}
