// What a mitigation will do, before it runs: the calls on each region's admin API, in
// order, each said in words, and how its effect will be verified. Pure: it reads a view of
// the analyzer's state (firing alerts, looped tracks, behaviours) and never calls anything;
// analyzer/actions/action-runner.ts performs the plan, and verification() judges it.
import type { ActionPlan, ActionRequest, ActionStep } from "../../core/actions.js";
import type { Alert } from "../../core/alert.js";
import { regionsLabel, type Region, type TrackId } from "../../core/region.js";

/** What the planner reads of the analyzer (analyzer/actions/engine-view.ts builds it from the engine). */
export interface PlanView {
  regions: readonly Region[];
  firing: readonly Alert[];
  /** Every track the analyzer sees looping, with its cycle (first region repeated last) and origin. */
  loops: readonly { track: TrackId; cycle: readonly Region[]; origin: Region | null }[];
  behaviours: (region: Region) => readonly string[];
}

export type PlanResult = { ok: true; plan: ActionPlan } | { ok: false; error: string };

/** The legacy flag whose absence is the loop guard (sfu/relay/legacy-behaviours.ts). */
const NO_LOOP_GUARD = "no-loop-guard";

export function planAction(req: ActionRequest, view: PlanView): PlanResult {
  const unknown = regionsOf(req).find((r) => !view.regions.includes(r));
  if (unknown !== undefined) return { ok: false, error: `no region ${unknown} (known: ${view.regions.join(", ")})` };
  switch (req.kind) {
    case "loop-break": return planLoopBreak(req, view);
    case "override-isolation": return ok(planOverride(req.region, view));
    case "behaviours": return ok(planBehaviours(req.region, req.set, view));
    case "drain": return ok(planDrain(req.region));
  }
}

function regionsOf(req: ActionRequest): Region[] {
  return req.kind === "loop-break" ? [...(req.regions ?? [])] : [req.region];
}

function ok(plan: ActionPlan): PlanResult {
  return { ok: true, plan };
}

function planLoopBreak(req: Extract<ActionRequest, { kind: "loop-break" }>, view: PlanView): PlanResult {
  const ofTrack = req.track === undefined ? undefined : view.loops.find((l) => l.track === req.track);
  if (req.track !== undefined && ofTrack === undefined) return { ok: false, error: `track ${req.track} does not loop (as the analyzer sees it now)` };
  const cycle = new Set<Region>(req.regions ?? ofTrack?.cycle ?? []);
  if (cycle.size === 0) return { ok: false, error: "name the cycle's regions or a looped track" };
  const label = regionsLabel(cycle);
  const looped = view.loops.filter((l) => (req.track === undefined || l.track === req.track) && regionsLabel(l.cycle) === label);
  if (looped.length === 0) return { ok: false, error: `no track loops on ${label} (as the analyzer sees it now)` };
  const steps: ActionStep[] = [];
  const members = [...cycle].sort();
  // The guard first: re-located relays then cannot close the loop again, nor can the next fresh tracks.
  if (req.restoreLoopGuard !== false) {
    for (const region of members) {
      const now = view.behaviours(region);
      if (!now.includes(NO_LOOP_GUARD)) continue;
      const set = now.filter((b) => b !== NO_LOOP_GUARD);
      steps.push({ region, method: "PUT", path: "/admin/behaviours", body: { behaviours: set }, says: `${region}: loop guard back on (behaviours ${list(now)} → ${list(set)})` });
    }
  }
  for (const region of members) {
    const tracks = looped.filter((l) => l.cycle.includes(region)).map((l) => l.track);
    const origins = [...new Set(looped.map((l) => l.origin ?? "its origin"))].join(", ");
    steps.push({ region, method: "POST", path: "/admin/relays/reset", body: { tracks }, says: `${region}: drop its relay of ${countTracks(tracks)} and re-locate from the origin (${origins})` });
  }
  const alerts = view.firing.filter((a) => a.name === "RelayLoop" && a.labels["regions"] === label);
  return ok({
    kind: "loop-break", target: label, steps,
    summary: `break the relay loop ${members.join(" ⇄ ")}: ${looped.length} looped track(s) re-located from their origin`,
    verify: { alerts: alerts.map((a) => ({ fingerprint: a.fingerprint, name: a.name })), regions: members, pairs: "into" },
  });
}

function planOverride(region: Region, view: PlanView): ActionPlan {
  const alerts = view.firing.filter((a) => (a.name === "FalseIsolation" || a.name === "RegionOffline") && a.labels["region"] === region);
  return {
    kind: "override-isolation", target: region,
    summary: `bring ${region} back online (override its isolation); its isolation policy decides again from then on`,
    steps: [{ region, method: "POST", path: "/admin/isolation/override", body: { reason: "on-call override" }, says: `${region}: online now, sessions admitted; the isolation policy resumes on fresh evidence only` }],
    verify: { alerts: alerts.map((a) => ({ fingerprint: a.fingerprint, name: a.name })), regions: [region], pairs: "both" },
  };
}

function planBehaviours(region: Region, set: readonly string[], view: PlanView): ActionPlan {
  const now = view.behaviours(region);
  return {
    kind: "behaviours", target: region,
    summary: `switch ${region}'s legacy behaviours: ${list(now)} → ${list(set)}`,
    steps: [{ region, method: "PUT", path: "/admin/behaviours", body: { behaviours: [...set] }, says: `${region}: behaviours ${list(now)} → ${list(set)}` }],
    verify: { alerts: [], regions: [], pairs: "into" },
  };
}

function planDrain(region: Region): ActionPlan {
  return {
    kind: "drain", target: region,
    summary: `drain ${region}: end every publish and subscribe session there (clients reconnect elsewhere)`,
    steps: [{ region, method: "POST", path: "/admin/drain", body: {}, says: `${region}: end every session` }],
    verify: { alerts: [], regions: [], pairs: "into" },
  };
}

/** What verification reads: which alerts still fire, and each probe pair's latest status. */
export interface VerifyView {
  firing: ReadonlySet<string>;
  pairs: readonly { src: Region; dst: Region; status: string }[];
}

/** Verified when every alert of the plan has resolved and every pair it names is ok. */
export function verification(plan: ActionPlan, view: VerifyView): { verified: boolean; detail: string } {
  const still = plan.verify.alerts.filter((a) => view.firing.has(a.fingerprint));
  const watched = new Set(plan.verify.regions);
  const pairs = view.pairs.filter((p) => watched.has(p.dst) || (plan.verify.pairs === "both" && watched.has(p.src)));
  const bad = pairs.filter((p) => p.status !== "ok");
  const alertsText = plan.verify.alerts.length === 0 ? "" : still.length === 0 ? `${names(plan.verify.alerts)} resolved` : `${names(still)} still firing`;
  const pairsText = watched.size === 0 ? "" : bad.length === 0 ? `${pairs.length}/${pairs.length} pairs ok` : `${pairs.length - bad.length}/${pairs.length} pairs ok (failing: ${bad.slice(0, 4).map((p) => `${p.src}→${p.dst}`).join(", ")})`;
  return { verified: still.length === 0 && bad.length === 0, detail: [alertsText, pairsText].filter((t) => t !== "").join("; ") || "nothing to verify" };
}

function names(alerts: readonly { name: string }[]): string {
  return [...new Set(alerts.map((a) => a.name))].join(", ");
}

function list(b: readonly string[]): string {
  return b.length === 0 ? "(defaults)" : b.join(",");
}

function countTracks(tracks: readonly string[]): string {
  return tracks.length === 1 ? (tracks[0] ?? "") : `${tracks.length} tracks (${tracks.slice(0, 3).join(", ")}${tracks.length > 3 ? ", …" : ""})`;
}
