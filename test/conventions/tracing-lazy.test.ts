// An SFU or probe agent without tracing loads none of the OpenTelemetry SDK (issue 14: each
// process loads what it uses): a child process imports the sfu and probe commands and runs
// startTracing() with no endpoint, recording every module it resolves. The same child with an
// endpoint set must load them, so the recording is shown to see the SDK when it is there.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CHILD = join(import.meta.dirname, "../support/otel-packages-loaded.ts");
/** The packages only tracing needs; @opentelemetry/api (no-op tracers) is always loaded. */
const SDK_PACKAGES = ["@opentelemetry/context-async-hooks", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/resources", "@opentelemetry/sdk-trace-base"];
/** Loading the sfu command's module graph through tsx takes seconds on a busy machine. */
const CHILD_TIMEOUT_MS = 120_000;

function packagesLoaded(mode: "on" | "off"): string[] {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "", OTEL_SDK_DISABLED: "" };
  const r = spawnSync(process.execPath, ["--import", "tsx", CHILD, mode], { encoding: "utf8", env, timeout: CHILD_TIMEOUT_MS });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("cli/tracing.ts", { timeout: 2 * CHILD_TIMEOUT_MS }, () => {
  it("with tracing off, the sfu and probe commands load @opentelemetry/api but no SDK or exporter package", () => {
    const loaded = packagesLoaded("off");
    expect(loaded).toContain("@opentelemetry/api");
    for (const pkg of SDK_PACKAGES) expect(loaded, pkg).not.toContain(pkg);
  });

  it("with an OTLP endpoint set, startTracing() loads them (the recording sees the SDK)", () => {
    const loaded = packagesLoaded("on");
    for (const pkg of SDK_PACKAGES) expect(loaded, pkg).toContain(pkg);
  });
});
