// The relaywatch.yaml configuration file: its schema, defaults and precise errors.
// Every error names the key (as a path), the value found and what was expected.
import { z } from "zod";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ConfigError } from "./errors.js";
import { durationSchema } from "./duration.js";
import { regionSchema } from "./region.js";
import { expectedFromZodMessage, formatPath, valueAt } from "./validate.js";

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL like http://127.0.0.1:7001" });
const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "expected HOST:PORT like 127.0.0.1:7700");

export const storeConfigSchema = z.strictObject({
  /** A directory (embedded chdb) or http(s)://user:pass@host:8123/db (remote ClickHouse). */
  url: z.string().min(1).default("./data/clickhouse"),
  /** Cluster name: emit ON CLUSTER DDL with ReplicatedMergeTree + Distributed tables. */
  cluster: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a ClickHouse cluster name").optional(),
  spoolDir: z.string().min(1).default("./data/spool"),
  /** How long rows are kept (TTL), in days. */
  ttlDays: z.number().int().positive().max(3650).default(30),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

export const regionEndpointSchema = z.strictObject({
  name: regionSchema,
  url: httpUrl,
});

export const configSchema = z.strictObject({
  store: storeConfigSchema.default(storeConfigSchema.parse({})),
  regions: z.array(regionEndpointSchema).default([]),
  analyzer: z
    .strictObject({
      listen: hostPort.default("127.0.0.1:7700"),
      /** Bearer token for the ingest and read APIs. Prefer RELAYWATCH_ANALYZER_TOKEN. */
      token: z.string().min(16, "expected a token of at least 16 characters").optional(),
    })
    .default({ listen: "127.0.0.1:7700" }),
  alerting: z
    .strictObject({
      alertmanager: z.array(httpUrl).default([]),
      webhooks: z.array(httpUrl).default([]),
      resendInterval: durationSchema.default(30_000),
    })
    .default({ alertmanager: [], webhooks: [], resendInterval: 30_000 }),
  thresholds: z
    .strictObject({
      probeFailWindows: z.number().int().positive().default(2),
      probeWindowHistory: z.number().int().positive().default(3),
      relayLatencyMs: z.number().positive().default(250),
      staleRelayAfter: durationSchema.default(60_000),
    })
    .default({ probeFailWindows: 2, probeWindowHistory: 3, relayLatencyMs: 250, staleRelayAfter: 60_000 }),
});
export type RelaywatchConfig = z.infer<typeof configSchema>;

/** Validates an already-parsed config object; throws ConfigError naming the first bad key. */
export function parseConfig(input: unknown): RelaywatchConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new ConfigError("(root)", input, "a relaywatch configuration");
  let path = [...issue.path];
  let expected = issue.message;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    path = [...path, key];
    const parentKeys = knownKeys(issue.path);
    expected = parentKeys.length > 0 ? `one of the known keys: ${parentKeys.join(", ")}` : "no such key";
    throw new ConfigError(formatPath(path), valueAt(input, path), expected);
  }
  expected = expectedFromZodMessage(expected);
  throw new ConfigError(formatPath(path) || "(root)", valueAt(input, path), expected);
}

/** Parses YAML text (a file's contents) into a config; syntax errors name the line. */
export function parseConfigYaml(text: string, fileName = "relaywatch.yaml"): RelaywatchConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0].line;
      throw new ConfigError(`${fileName}${line === undefined ? "" : `:${line}`}`, undefined, `valid YAML (${err.code})`);
    }
    throw err;
  }
  return parseConfig(doc);
}


function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const part of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      const next = (inner.shape as Record<string, z.ZodType | undefined>)[String(part)];
      if (next === undefined) return [];
      schema = next;
    } else if (inner instanceof z.ZodArray) {
      schema = inner.element as z.ZodType;
    } else return [];
  }
  const obj = unwrap(schema);
  return obj instanceof z.ZodObject ? Object.keys(obj.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}
