// The relaywatch.yaml configuration file: its schema, defaults and precise errors.
// Every error names the key (as a path), the value found and what was expected; a
// combination that cannot work (a threshold that can never fire) is refused like a typo.
import { z } from "zod";
import { durationInRange } from "./duration.js";
import { regionSchema } from "./region.js";
import { issueWording, problemsFromIssues } from "./validate.js";
import { ConfigFileError, keyText, parseYamlFile, readYamlText } from "./yaml-file.js";

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL like http://127.0.0.1:7001" });
const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "expected HOST:PORT like 127.0.0.1:7700")
  .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65_535, "expected HOST:PORT with a port from 0 to 65535");

/**
 * 1 s … 1 h. A firing alert is sent with endsAt 4 intervals ahead (analyzer/alerts/sink.ts),
 * so 0 would make Alertmanager expire it at once; under 1 s floods it; over 1 h a lost send
 * leaves Alertmanager without the alert for hours.
 */
const MIN_RESEND_MS = 1000;
const MAX_RESEND_MS = 3_600_000;
/** Up to 24 h: a relay with no demand for a day is stale by any measure; more is a typo. */
const MAX_STALE_RELAY_MS = 86_400_000;
/** 100 windows (100 s at the default 1 s): the detector keeps this many per pair, and DESIGN wants detection in seconds. */
const MAX_PROBE_WINDOW_HISTORY = 100;

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
  regions: z.array(regionEndpointSchema).default([]).superRefine((regions, ctx) => {
    regions.forEach((r, i) => {
      const first = regions.findIndex((o) => o.name === r.name);
      if (first < i) ctx.addIssue({ code: "custom", path: [i, "name"], input: r.name, message: `expected each region once (${r.name} is already regions[${first}])` });
    });
  }),
  analyzer: z
    .strictObject({
      listen: hostPort.default("127.0.0.1:7700"),
      /** Bearer token for the ingest and read APIs. Prefer RELAYWATCH_ANALYZER_TOKEN. */
      token: z.string().min(16, "expected a token of at least 16 characters").optional(),
      /** Probe results stamped further ahead of the analyzer's clock are refused (analyzer/ingest/admission.ts). */
      maxClockAhead: durationInRange(1000, 3_600_000).default(30_000),
      /** …or further behind it. */
      maxClockBehind: durationInRange(1000, 86_400_000).default(600_000),
    })
    .default({ listen: "127.0.0.1:7700", maxClockAhead: 30_000, maxClockBehind: 600_000 }),
  alerting: z
    .strictObject({
      alertmanager: z.array(httpUrl).default([]),
      webhooks: z.array(httpUrl).default([]),
      resendInterval: durationInRange(MIN_RESEND_MS, MAX_RESEND_MS).default(30_000),
    })
    .default({ alertmanager: [], webhooks: [], resendInterval: 30_000 }),
  thresholds: z
    .strictObject({
      probeFailWindows: z.number().int().positive().default(2),
      probeWindowHistory: z.number().int().positive().max(MAX_PROBE_WINDOW_HISTORY).default(3),
      relayLatencyMs: z.number().positive().default(250),
      staleRelayAfter: durationInRange(1, MAX_STALE_RELAY_MS).default(60_000),
      /** Warm-up grace: a pair, copy or region never healthy since it appeared does not alert before (analyzer/detectors/warm-up.ts). */
      gracePeriod: durationInRange(0, MAX_STALE_RELAY_MS).default(30_000),
      /** A symptom (ProbePairFailing, MissingRelay…) pages only once it has held this long (analyzer/alerts/paging.ts). */
      pagingHorizon: durationInRange(0, MAX_STALE_RELAY_MS).default(30_000),
    })
    .superRefine((t, ctx) => {
      // ProbePairFailing fires on k failing of the last n windows: k > n can never fire.
      if (t.probeFailWindows > t.probeWindowHistory) {
        ctx.addIssue({ code: "custom", path: ["probeFailWindows"], input: t.probeFailWindows, message: `expected at most probeWindowHistory (${t.probeWindowHistory}): ProbePairFailing fires on probeFailWindows failing of the last probeWindowHistory windows, so it could never fire` });
      }
    })
    .default({ probeFailWindows: 2, probeWindowHistory: 3, relayLatencyMs: 250, staleRelayAfter: 60_000, gracePeriod: 30_000, pagingHorizon: 30_000 }),
});
export type RelaywatchConfig = z.infer<typeof configSchema>;

/** Validates an already-parsed config object; throws a ConfigFileError naming every bad key. */
export function parseConfig(input: unknown): RelaywatchConfig {
  const parsed = configSchema.safeParse(input ?? {}, { error: issueWording });
  if (parsed.success) return parsed.data;
  const problems = problemsFromIssues(configSchema, parsed.error.issues, input ?? {});
  throw new ConfigFileError(
    "",
    problems.map((p) => ({ line: null, col: null, key: keyText(p.path), value: p.value, expected: p.expected })),
  );
}

/** Parses YAML text (a file's contents) into a config; every problem names FILE:LINE:COL and the key. */
export function parseConfigYaml(text: string, fileName = "relaywatch.yaml"): RelaywatchConfig {
  return parseYamlFile(configSchema, text, fileName);
}

/** Reads and parses a config file (size-checked before it is read). */
export function loadConfigFile(file: string): RelaywatchConfig {
  return parseConfigYaml(readYamlText(file), file);
}
