// `relaywatch … | head`: when the reader has gone, the command stops quietly with exit 0,
// like any Unix tool — no EPIPE stack trace (issue 19: no stack trace for a known failure).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");

describe("stdout closed by the reader", () => {
  it("exits 0 with nothing on stderr", () => {
    // `true` exits at once, so the pipe is closed before relaywatch writes its first byte.
    const cmd = `'${process.execPath}' '${BIN}' dashboards rules --runbook-base-url https://runbooks.example/rw | true; echo "status=\${PIPESTATUS[0]}" >&2`;
    const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("status=0\n");
  });
});
