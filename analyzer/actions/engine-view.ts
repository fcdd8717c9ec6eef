// The planner's and the verifier's views of the analyzer engine (analyzer/actions/plan.ts):
// reads only, built per call (an action is rare; the cost is one pass over the loops and
// the pair matrix).
import type { Region } from "../../core/region.js";
import type { AnalyzerEngine } from "../engine.js";
import { trackOrigin } from "../graph/relay-graph.js";
import type { PlanView, VerifyView } from "./plan.js";

export function planView(engine: AnalyzerEngine, configured: readonly Region[]): PlanView {
  const loops: PlanView["loops"][number][] = [];
  for (const track of engine.loops.tracksWithCycles()) {
    const t = engine.graph.track(track);
    const origin = t === undefined ? null : trackOrigin(t);
    for (const cycle of engine.loops.cyclesOf(track)) loops.push({ track, cycle, origin });
  }
  return { regions: configured, firing: engine.book.firing(), loops, behaviours: (r) => engine.regions.get(r).behaviours };
}

export function verifyView(engine: AnalyzerEngine): VerifyView {
  const pairs: VerifyView["pairs"][number][] = [];
  for (const p of engine.matrix.allPairs()) pairs.push({ src: p.src, dst: p.dst, status: p.last.status });
  return { firing: new Set(engine.book.firing().map((a) => a.fingerprint)), pairs };
}
