// Shared by the config/scenario file tests: what a bad file's message must look like, and
// arbitraries for YAML-ish text and document structures (fast-check). Test support only.
import fc from "fast-check";
import { expect } from "vitest";
import { ConfigError } from "../../core/errors.js";

/**
 * A bad file's error: a ConfigError whose lines are `FILE:LINE:COL: KEY: got …, expected …`
 * (after a `FILE: N problems` header when there are several), without zod's or JS's wording.
 */
export function assertCleanMessage(err: unknown, file: string): void {
  expect(err).toBeInstanceOf(ConfigError);
  assertCleanLines((err as Error).message, file);
}

/** The same check on printed text (the CLI's stderr without its `relaywatch: ` prefix). */
export function assertCleanLines(message: string, file: string): void {
  const lines = message.split("\n");
  if (lines.length > 1) expect(lines[0]).toMatch(new RegExp(`^${escape(file)}: \\d+ problems$`));
  const problems = lines.length === 1 ? lines : lines.slice(1).filter((l) => !l.startsWith("… and "));
  for (const line of problems) expect(line, line).toMatch(new RegExp(`^${escape(file)}(:\\d+:\\d+)?: .+: (got .+, )?expected .+$`));
  expect(message).not.toMatch(/received|Invalid input|Too (small|big)| {4}at |\[object Object\]|undefined/);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** YAML text built from the characters and fragments that matter to a YAML parser. */
export const yamlishText = fc
  .array(
    fc.constantFrom(
      ..."abz019 -:,[]{}&*!|>'\"#%@`?.\n\t\\~=_/".split(""),
      "name: ", "duration: ", "regions: ", "timeline: ", "expect: ", "  - ", "&a ", "*a", "<<: ", "!!str ", "!!binary ", "---\n",
      "1h30m", "0s", "null", "true", "1e999", "__proto__: ", "{ at: 1s, kill: a }", "[us-east, us-west]",
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

/** Leaf values: JSON plus the values these files are about (durations, regions, alert names). */
export const leafValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom("1h30m", "0s", "999999h", "us-east", "eu-west", "RelayLoop", "no-loop-guard", -1, 0, 1e300, "__proto__"),
);
