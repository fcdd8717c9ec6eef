// Relay bench: the relay machine's random-mesh property (test/support/relay-meshes.ts, the
// same one sfu/relay/relay-loop.test.ts runs 1,000 times) over MESHES random meshes. Every
// region runs the region node's own relay machine; only the network, time, the engine and
// the clients are simulated. Prints meshes per second and the counterexamples found (the
// goal is 0); a counterexample is printed shrunk, ready to paste as a regression test.
import fc from "fast-check";
import type { Bench, Reporter } from "./harness.js";
import { meshArb, meshViolation } from "../test/support/relay-meshes.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours } from "../sfu/relay/legacy-behaviours.js";

/** 100,000 meshes: issue 16's acceptance figure (the unit test runs 1,000 per CI run). */
const MESHES = 100_000;
/** Meshes per fast-check run: each batch has its own seed, so progress shows and a failure is reproducible. */
const BATCH = 2_000;
const FIRST_SEED = 16;

const ANNOUNCE_EARLY = (() => {
  const r = parseBehaviours("announce-early");
  if (!r.ok) throw new Error(r.error.value);
  return r.behaviours;
})();

async function run(report: Reporter): Promise<void> {
  let done = 0;
  let counterexamples = 0;
  const started = performance.now();
  for (let batch = 0; done < MESHES; batch++) {
    const seed = FIRST_SEED + batch;
    const numRuns = Math.min(BATCH, MESHES - done);
    const result = fc.check(
      fc.property(meshArb, (m) => meshViolation(m, m.announceEarly ? ANNOUNCE_EARLY : NO_LEGACY_BEHAVIOURS) === null),
      { numRuns, seed },
    );
    done += result.numRuns;
    if (result.failed) {
      counterexamples++;
      const [m] = result.counterexample ?? [];
      const why = m === undefined ? "?" : meshViolation(m, m.announceEarly ? ANNOUNCE_EARLY : NO_LEGACY_BEHAVIOURS);
      // Only the meshes checked count; the next seed carries on.
      report.progress(`counterexample (seed ${seed}): ${why ?? "?"}\n${JSON.stringify(m)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    report.progress(`${done} meshes, ${counterexamples} counterexamples, ${(done / seconds).toFixed(0)} meshes/s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  report.figure("random meshes checked", done, "meshes");
  report.figure("meshes per second", done / seconds, "meshes/s");
  report.figure("counterexamples", counterexamples, "meshes", { note: "goal 0" });
}

const bench: Bench = {
  name: "relay",
  description: `the relay machine's random-mesh property over ${MESHES} meshes (no loop, everyone reaches the origin)`,
  run,
};

export default bench;
