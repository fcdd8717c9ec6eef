// Property-based fuzz of both file loaders (scenario and config): random YAML text, random
// structures, and DESIGN's scenario example mutated. Whatever the input, the only thing
// thrown is a ConfigError whose message is clean lines; a handful go through the real CLI,
// which exits 2 without a stack trace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../core/config.js";
import { parseScenario } from "../../lab/scenario/parse.js";
import { runCli } from "../support/run-cli.js";
import { assertCleanLines, assertCleanMessage, leafValue, yamlishText } from "./fuzz-support.js";

const DESIGN_EXAMPLE = `
name: relay-loop-eu
duration: 60s
probeInterval: 1s
probeRotate: 10s
regions: [us-east, us-west, eu-central, eu-west]
links:
  - { between: [us-west, eu-central], latency: 70ms, jitter: 5ms, loss: 0.001 }
behaviours:
  eu-central: [announce-early, no-loop-guard]
timeline:
  - { at: 10s, partition: [us-east], for: 3s }
  - { at: 12s, isolate: [us-east], for: 20s }
  - { at: 20s, linkDown: [eu-central, eu-west], for: 5s }
  - { at: 25s, kill: us-west }
  - { at: 40s, restart: us-west }
  - { at: 30s, behaviour: { region: eu-west, set: [no-loop-guard] } }
  - { at: 35s, subscribe: { region: eu-central, track: probe/us-west } }
expect:
  - { alert: RelayLoop, after: 20s, within: 5s, labels: { regions: "eu-central,eu-west" } }
  - { alert: FalseIsolation, after: 10s, within: 10s, labels: { region: us-east } }
  - { noAlert: RegionOffline, labels: { region: us-east } }
  - { maxPages: 2 }
`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a document. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const own = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) return [...own, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (v !== null && typeof v === "object") return [...own, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
  return own;
}

/** DESIGN's example with a few values replaced, keys deleted or keys added. */
const mutatedExample = fc.array(fc.tuple(fc.nat(), fc.constantFrom("set", "delete", "add"), leafValue, fc.string({ maxLength: 10 })), { minLength: 1, maxLength: 4 }).map((edits) => {
  const doc = parse(DESIGN_EXAMPLE) as Json;
  for (const [n, op, value, key] of edits) {
    const paths = pathsOf(doc);
    const path = paths[n % paths.length] ?? [];
    const parent = path.slice(0, -1).reduce<Json>((o, k) => (o as Record<string | number, Json>)[k] ?? null, doc) as Record<string | number, Json>;
    const last = path[path.length - 1] ?? "";
    if (op === "set") parent[last] = value as Json;
    else if (op === "delete") Reflect.deleteProperty(parent, last);
    else if (typeof parent === "object" && !Array.isArray(parent)) parent[key] = value as Json;
  }
  return stringify(doc);
});

const scenarioKeys = fc.constantFrom("name", "duration", "probeInterval", "probeRotate", "regions", "links", "behaviours", "timeline", "expect", "__proto__");
const randomScenario = fc
  .dictionary(scenarioKeys, fc.oneof(leafValue, fc.array(fc.dictionary(fc.constantFrom("at", "for", "kill", "partition", "alert", "noAlert", "within", "labels", "maxPages", "between"), leafValue, { maxKeys: 3 }), { maxLength: 3 })), { maxKeys: 8 })
  .map((o) => stringify(o));
const randomConfig = fc
  .dictionary(fc.constantFrom("store", "regions", "analyzer", "alerting", "thresholds"), fc.oneof(leafValue, fc.dictionary(fc.constantFrom("url", "ttlDays", "listen", "token", "resendInterval", "probeFailWindows", "probeWindowHistory", "staleRelayAfter", "name"), leafValue, { maxKeys: 3 })), { maxKeys: 5 })
  .map((o) => stringify(o));

function loadsOrFailsCleanly(load: (text: string) => unknown, file: string): (text: string) => void {
  return (text) => {
    try {
      load(text);
    } catch (err) {
      assertCleanMessage(err, file);
    }
  };
}

const scenario = (t: string) => parseScenario(t, "s.yaml");
const config = (t: string) => parseConfigYaml(t, "c.yaml");

describe("fuzz: scenario and config loaders in-process", () => {
  it("DESIGN's example parses as it is (the fuzz starts from a valid file)", () => {
    expect(parseScenario(DESIGN_EXAMPLE).expect).toHaveLength(4);
  });

  it("random YAML-ish text", () => {
    fc.assert(fc.property(yamlishText, loadsOrFailsCleanly(scenario, "s.yaml")), { numRuns: 400 });
    fc.assert(fc.property(yamlishText, loadsOrFailsCleanly(config, "c.yaml")), { numRuns: 400 });
  });

  it("random structures with the files' own keys", () => {
    fc.assert(fc.property(randomScenario, loadsOrFailsCleanly(scenario, "s.yaml")), { numRuns: 400 });
    fc.assert(fc.property(randomConfig, loadsOrFailsCleanly(config, "c.yaml")), { numRuns: 400 });
  });

  it("DESIGN's example, mutated", () => {
    fc.assert(fc.property(mutatedExample, loadsOrFailsCleanly(scenario, "s.yaml")), { numRuns: 400 });
  });
});

/** A few fixed (seeded) bad samples: valid ones would start a lab or an analyzer. */
function badSamples(arb: fc.Arbitrary<string>, load: (t: string) => unknown, n: number): string[] {
  const fails = (t: string) => {
    try {
      load(t);
      return false;
    } catch {
      return true;
    }
  };
  return fc.sample(arb.filter(fails), { numRuns: n, seed: 20240207 });
}

describe("fuzz: a handful through the real CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "relaywatch-fuzz-"));
  const cases: [string, string[], string][] = [
    ...badSamples(yamlishText, scenario, 1).map((t): [string, string[], string] => ["scenario text", ["scenario", "run"], t]),
    ...badSamples(mutatedExample, scenario, 2).map((t): [string, string[], string] => ["mutated example", ["scenario", "run"], t]),
    ...badSamples(randomConfig, config, 2).map((t): [string, string[], string] => ["config structure", ["analyze", "--config"], t]),
  ];
  cases.forEach(([what, args, text], i) => {
    it(`${what} #${i}: exit 2, clean lines, no stack trace`, async () => {
      const file = join(dir, `f${i}.yaml`);
      writeFileSync(file, text);
      const r = await runCli([...args, file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.startsWith("relaywatch: ")).toBe(true);
      assertCleanLines(r.stderr.slice("relaywatch: ".length).trimEnd(), file);
    });
  });
});
