import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSecret } from "./secret.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-secret-"));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const sources = { env: "RELAYWATCH_ANALYZER_TOKEN", option: "--analyzer-token" };

describe("readSecret()", () => {
  it("takes the option, then the file option, then NAME, then NAME_FILE", () => {
    const f = file("a", "from-file\n");
    const env = { RELAYWATCH_ANALYZER_TOKEN: "from-env", RELAYWATCH_ANALYZER_TOKEN_FILE: file("b", "from-env-file") };
    expect(readSecret({ ...sources, value: "from-option", file: f }, env)).toBe("from-option");
    expect(readSecret({ ...sources, file: f }, env)).toBe("from-file");
    expect(readSecret(sources, env)).toBe("from-env");
    expect(readSecret(sources, { RELAYWATCH_ANALYZER_TOKEN_FILE: env.RELAYWATCH_ANALYZER_TOKEN_FILE })).toBe("from-env-file");
    expect(readSecret(sources, {})).toBeUndefined();
  });

  it("names the key and file when the file is missing, empty or has several lines", () => {
    expect(() => readSecret({ ...sources, file: join(dir, "missing") }, {})).toThrow(/--analyzer-token-file: .*ENOENT/);
    expect(() => readSecret(sources, { RELAYWATCH_ANALYZER_TOKEN_FILE: file("e", "\n") })).toThrow(/RELAYWATCH_ANALYZER_TOKEN_FILE: .*one line/);
    expect(() => readSecret(sources, { RELAYWATCH_ANALYZER_TOKEN_FILE: file("m", "a\nb\n") })).toThrow(/one line/);
  });
});
