import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfigYaml } from "./config.js";
import { assertCleanMessage, leafValue, yamlishText } from "../test/config/fuzz-support.js";
import { ConfigFileError, MAX_PROBLEMS_SHOWN, MAX_YAML_BYTES, MAX_YAML_NESTING, parseYamlFile, readYamlText } from "./yaml-file.js";

const schema = z.strictObject({ name: z.string(), port: z.number().int().max(65_535).optional(), tags: z.array(z.string()).default([]) });

function fileError(fn: () => unknown): ConfigFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigFileError) return err;
    throw err;
  }
  throw new Error("expected a ConfigFileError");
}

/** A "billion laughs" document: each level is 9 aliases of the one before. */
function aliasBomb(levels: number): string {
  const lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

describe("parseYamlFile()", () => {
  it("places a value's problem at the value, an unknown key's at the key, a missing key's at its mapping", () => {
    const e = fileError(() => parseYamlFile(schema, "tags:\n  - ok\n  - 7\nport: 70000\nnmae: x\n", "f.yaml"));
    expect(e.message.split("\n")).toEqual([
      "f.yaml: 4 problems",
      "f.yaml:1:1: name: got nothing, expected a string (this key is required)",
      "f.yaml:3:5: tags[1]: got 7, expected a string",
      "f.yaml:4:7: port: got 70000, expected a number of at most 65535",
      'f.yaml:5:1: nmae: got "x", expected one of the keys known here: name, port, tags (did you mean name?)',
    ]);
    expect(e.problems).toHaveLength(4);
    expect(e.code).toBe("invalid_config");
  });

  it("an alias bomb is refused as one line, not expanded", () => {
    const started = performance.now();
    const e = fileError(() => parseConfigYaml(aliasBomb(9), "bomb.yaml"));
    expect(e.message).toBe("bomb.yaml:1:1: (YAML): expected at most 100 alias expansions (this looks like an alias bomb)");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a file over the size limit is refused before it is parsed (text) or read (file)", () => {
    const big = `name: x\n# ${"x".repeat(MAX_YAML_BYTES)}\n`;
    expect(fileError(() => parseYamlFile(schema, big, "big.yaml")).message).toBe(
      `big.yaml: (file): got "${MAX_YAML_BYTES + 11} bytes", expected at most ${MAX_YAML_BYTES} bytes (a hand-written file)`,
    );
    const dir = mkdtempSync(join(tmpdir(), "rw-yaml-"));
    writeFileSync(join(dir, "big.yaml"), big);
    expect(fileError(() => readYamlText(join(dir, "big.yaml"))).problems[0]?.expected).toBe(`at most ${MAX_YAML_BYTES} bytes (a hand-written file)`);
    expect(fileError(() => readYamlText(join(dir, "none.yaml"))).message).toBe(`${join(dir, "none.yaml")}: (file): expected a readable YAML file (no such file)`);
    expect(fileError(() => readYamlText(dir)).message).toBe(`${dir}: (file): expected a readable YAML file (this is a directory)`);
    expect(fileError(() => readYamlText("/dev/zero")).message).toBe("/dev/zero: (file): expected a readable YAML file (this is not a regular file)");
  });

  it("YAML syntax problems name line and column: duplicate keys, tabs, a second document", () => {
    expect(fileError(() => parseYamlFile(schema, "name: a\nname: b\n", "f.yaml")).message).toBe("f.yaml:2:1: (YAML): expected each key once in a mapping");
    expect(fileError(() => parseYamlFile(schema, "name: a\n---\nname: b\n", "f.yaml")).message).toBe("f.yaml:2:1: (YAML): expected one YAML document (no second ---)");
    expect(fileError(() => parseYamlFile(schema, "tags: [a, b\n", "f.yaml")).message).toMatch(/^f\.yaml:2:1: \(YAML\): expected valid YAML \(/);
  });

  it("nesting past MAX_YAML_NESTING is one problem, found before parsing (fast, whatever the stack)", () => {
    const started = performance.now();
    expect(fileError(() => parseYamlFile(schema, "[".repeat(100_000), "deep.yaml")).message).toBe(`deep.yaml:1:${MAX_YAML_NESTING + 1}: (YAML): expected at most ${MAX_YAML_NESTING} levels of nesting`);
    expect(fileError(() => parseYamlFile(schema, `name: x\ntags:\n  ${"- ".repeat(200_000)}x\n`, "deep.yaml")).message).toBe(`deep.yaml:3:1: (YAML): expected at most ${MAX_YAML_NESTING} levels of nesting`);
    expect(performance.now() - started).toBeLessThan(1000);
    const nested = `${"[".repeat(MAX_YAML_NESTING)}${"]".repeat(MAX_YAML_NESTING)}`;
    expect(parseYamlFile(z.object({ deep: z.unknown() }), `deep: ${nested}\n`, "ok.yaml").deep).toBeInstanceOf(Array);
  });

  it("shows at most MAX_PROBLEMS_SHOWN lines and counts the rest", () => {
    const text = Array.from({ length: 30 }, (_, i) => `k${i}: 1`).join("\n");
    const lines = fileError(() => parseYamlFile(schema, `name: x\n${text}\n`, "f.yaml")).message.split("\n");
    expect(lines[0]).toBe("f.yaml: 30 problems");
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 2);
    expect(lines.at(-1)).toBe("… and 10 more");
  });

  it("a key with a line break in it is escaped, so each problem stays one line", () => {
    const e = fileError(() => parseYamlFile(schema, 'name: x\n"a\\nb": 1\n', "f.yaml"));
    expect(e.message).toBe('f.yaml:2:1: "a\\nb": got 1, expected one of the keys known here: name, port, tags');
  });
});

describe("fuzz: a bad file never throws anything but a ConfigError, and its message is clean", () => {
  const loaders: [string, (text: string) => unknown][] = [
    ["config", (t) => parseConfigYaml(t, "f.yaml")],
    ["schema", (t) => parseYamlFile(schema, t, "f.yaml")],
  ];
  for (const [what, load] of loaders) {
    it(`random YAML-ish text (${what})`, () => {
      fc.assert(
        fc.property(yamlishText, (text) => {
          try {
            load(text);
          } catch (err) {
            assertCleanMessage(err, "f.yaml");
          }
        }),
        { numRuns: 400 },
      );
    });

    it(`random structures as YAML (${what})`, () => {
      const doc = fc.dictionary(fc.constantFrom("store", "regions", "analyzer", "alerting", "thresholds", "name", "tags", "port", "__proto__", "x y"), fc.oneof(leafValue, fc.dictionary(fc.string({ maxLength: 12 }), leafValue, { maxKeys: 4 })), { maxKeys: 6 });
      fc.assert(
        fc.property(doc, (obj) => {
          try {
            load(stringify(obj));
          } catch (err) {
            assertCleanMessage(err, "f.yaml");
          }
        }),
        { numRuns: 400 },
      );
    });
  }
});
