// Child process for test/conventions/tracing-lazy.test.ts: records every module this process
// resolves (ESM and CommonJS, through node:module's synchronous hooks), imports the SFU and
// probe commands, runs startTracing() with tracing off ("off") or on ("on", an unreachable
// OTLP endpoint, shut down at once), and prints the @opentelemetry packages loaded, one a line.
import { registerHooks } from "node:module";

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, ctx, nextResolve) {
    const r = nextResolve(specifier, ctx);
    const m = /node_modules\/(@opentelemetry\/[^/]+)\//.exec(r.url);
    if (m?.[1] !== undefined) loaded.add(m[1]);
    return r;
  },
});

const mode = process.argv[2];
await import("../../cli/commands/sfu.js");
await import("../../cli/commands/probe.js");
const { startTracing } = await import("../../cli/tracing.js");
const tracing = await startTracing("sfu", {}, mode === "on" ? { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" } : {});
await tracing?.shutdown();
process.stdout.write([...loaded].sort().map((p) => `${p}\n`).join(""));
