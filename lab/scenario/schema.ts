// The scenario file format — a contract: scenarios written by other people must run
// unchanged (DESIGN, "Scenario file"). Durations are strings like `10s`; every time in
// the timeline is from the start of the run.
import { z } from "zod";
import { ALERT_NAMES } from "../../core/alert.js";
import { durationInRange, durationSchema, formatDuration } from "../../core/duration.js";
import { regionSchema, trackIdSchema } from "../../core/region.js";
import { legacyBehaviourSchema } from "../../core/sfu-state.js";
import { MAX_LATENCY_MS } from "../wan/link-params.js";

/** DESIGN: "one-way latency per region pair (symmetric), default 10ms". */
export const DEFAULT_SCENARIO_LATENCY_MS = 10;
/** The probe window and rotation a scenario gets when it names none (the runner's defaults). */
export const DEFAULT_SCENARIO_PROBE_INTERVAL_MS = 1000;
export const DEFAULT_SCENARIO_PROBE_ROTATE_MS = 10_000;
/**
 * 24 h: the longest lab run anyone means (a day-long soak); `duration: 999999h` is a typo.
 * 1 s minimum: a run shorter than one probe window measures nothing.
 */
export const MAX_SCENARIO_DURATION_MS = 86_400_000;
const MIN_SCENARIO_DURATION_MS = 1000;
/** 100 ms: five packets at the probes' 50 pps, the fewest a loss/jitter figure means anything on. */
const MIN_PROBE_INTERVAL_MS = 100;
/** 60 s: a window longer than that hides every blip the lab exists to show. */
const MAX_PROBE_INTERVAL_MS = 60_000;

const regionPair = z.tuple([regionSchema, regionSchema], { error: "expected two regions, like [eu-central, eu-west]" });
const regionList = z.array(regionSchema, { error: "expected a list of regions, like [us-east]" }).min(1, "expected at least one region");
const alertName = z.enum(ALERT_NAMES, { error: `expected one of the alert names: ${ALERT_NAMES.join(", ")}` });
const labels = z.record(z.string(), z.string(), { error: "expected labels as a mapping of strings, like { region: us-east }" }).default({});
/** Any positive length of time a run can hold: a fault `for: 0s` or a deadline `within: 0s` is a mistake. */
const span = durationInRange(1, MAX_SCENARIO_DURATION_MS);

const linkSchema = z.strictObject({
  between: regionPair,
  latency: durationInRange(0, MAX_LATENCY_MS).optional(),
  jitter: durationInRange(0, MAX_LATENCY_MS).optional(),
  loss: z.number().min(0, "expected a loss fraction from 0 to 1 (0.01 is 1%)").max(1, "expected a loss fraction from 0 to 1 (0.01 is 1%)").optional(),
});

const at = { at: durationSchema };
const forOpt = { for: span.optional() };

const EVENT_KINDS = "partition, isolate, linkDown, kill, restart, behaviour, subscribe, turnDown or turnUp";
function timelineEventError(): string {
  return `expected one timeline event, at: TIME with one of ${EVENT_KINDS}`;
}

export const timelineEventSchema = z.union([
  z.strictObject({ ...at, partition: regionList, ...forOpt }),
  z.strictObject({ ...at, isolate: regionList, ...forOpt }),
  z.strictObject({ ...at, linkDown: regionPair, ...forOpt }),
  z.strictObject({ ...at, kill: regionSchema }),
  z.strictObject({ ...at, restart: regionSchema }),
  z.strictObject({ ...at, behaviour: z.strictObject({ region: regionSchema, set: z.array(legacyBehaviourSchema) }) }),
  z.strictObject({ ...at, subscribe: z.strictObject({ region: regionSchema, track: trackIdSchema }) }),
  // The region's TURN server (lab/world/turn.ts): stopped, and started again after `for`.
  z.strictObject({ ...at, turnDown: regionSchema, ...forOpt }),
  z.strictObject({ ...at, turnUp: regionSchema }),
], { error: timelineEventError });
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const expectationSchema = z.union([
  z.strictObject({ alert: alertName, after: durationSchema.default(0), within: span, labels }),
  z.strictObject({ noAlert: alertName, after: durationSchema.optional(), within: span.optional(), labels }),
  // DESIGN: at most N pages during the run (after t=0); a page is a delivered, unmuted critical.
  z.strictObject({ maxPages: z.number().int().nonnegative() }),
], { error: "expected one expectation: { alert, after, within, labels }, { noAlert, labels } or { maxPages }" });
export type Expectation = z.infer<typeof expectationSchema>;

const scenarioShape = z.strictObject({
  name: z.string().min(1, "expected a scenario name"),
  description: z.string().optional(),
  duration: durationInRange(MIN_SCENARIO_DURATION_MS, MAX_SCENARIO_DURATION_MS),
  probeInterval: durationInRange(MIN_PROBE_INTERVAL_MS, MAX_PROBE_INTERVAL_MS).optional(),
  probeRotate: durationInRange(2 * MIN_PROBE_INTERVAL_MS, MAX_SCENARIO_DURATION_MS).optional(),
  regions: z.array(regionSchema).min(2, "expected at least two regions (a relay needs two)").superRefine((regions, ctx) => {
    regions.forEach((r, i) => {
      const first = regions.indexOf(r);
      if (first < i) ctx.addIssue({ code: "custom", path: [i], input: r, message: `expected each region once (${r} is already regions[${first}])` });
    });
  }),
  links: z.array(linkSchema).default([]),
  behaviours: z.record(regionSchema, z.array(legacyBehaviourSchema)).default({}),
  timeline: z.array(timelineEventSchema).default([]),
  expect: z.array(expectationSchema).default([]),
});
type ScenarioShape = z.infer<typeof scenarioShape>;
type Ctx = z.core.$RefinementCtx<ScenarioShape>;

/**
 * Runs a check across keys only while those keys have the right shape, so a file's other
 * problems are still all reported (zod skips every refinement of an object with any issue
 * by default). Custom issues (a range, a duplicate, another cross-key check) leave the shape
 * intact; a duration that did not parse may be left undefined, so checks test numbers first.
 */
function whenValid(shaped: (keyof ScenarioShape)[], clean: (keyof ScenarioShape)[] = []): { when: (p: z.core.ParsePayload) => boolean } {
  const under = (i: z.core.$ZodRawIssue, keys: readonly string[]) => keys.includes(String(i.path?.[0]));
  // `clean` keys must have no issue at all: a check relative to a value already refused would only repeat it.
  return {
    when: (p) =>
      p.value !== null && typeof p.value === "object" && !Array.isArray(p.value) &&
      !p.issues.some((i) => under(i, clean) || (i.code !== "custom" && under(i, shaped))),
  };
}

function regionCheck(s: ScenarioShape, ctx: Ctx): (region: string, path: (string | number)[]) => void {
  const known = new Set(s.regions);
  return (region, path) => {
    if (!known.has(region)) ctx.addIssue({ code: "custom", path, message: `expected one of the scenario's regions (${s.regions.join(", ")})`, input: region });
  };
}

function withinRun(s: ScenarioShape, ctx: Ctx, ms: number | undefined, path: (string | number)[]): void {
  if (Number.isFinite(ms) && Number.isFinite(s.duration) && (ms ?? 0) > s.duration) ctx.addIssue({ code: "custom", path, input: ms, message: `expected a time within the scenario's duration (${formatDuration(s.duration)})` });
}

/** Label values that name regions: an expectation on a region the run does not have can never match. */
const REGION_LABELS = ["region", "src", "dst"] as const;

export const scenarioSchema = scenarioShape
  .superRefine((s, ctx) => {
    const check = regionCheck(s, ctx);
    s.links.forEach((l, i) => { l.between.forEach((r, j) => { check(r, ["links", i, "between", j]); }); });
  }, whenValid(["regions", "links"]))
  .superRefine((s, ctx) => {
    const check = regionCheck(s, ctx);
    for (const r of Object.keys(s.behaviours)) check(r, ["behaviours", r]);
  }, whenValid(["regions", "behaviours"]))
  .superRefine((s, ctx) => {
    const check = regionCheck(s, ctx);
    s.timeline.forEach((e, i) => { for (const [region, path] of regionsOf(e)) check(region, ["timeline", i, ...path]); });
  }, whenValid(["regions", "timeline"]))
  .superRefine((s, ctx) => {
    s.timeline.forEach((e, i) => { withinRun(s, ctx, e.at, ["timeline", i, "at"]); });
    s.expect.forEach((e, i) => { if (!("maxPages" in e)) withinRun(s, ctx, e.after, ["expect", i, "after"]); });
  }, whenValid(["timeline", "expect"], ["duration"]))
  .superRefine((s, ctx) => {
    const check = regionCheck(s, ctx);
    s.expect.forEach((e, i) => {
      if ("maxPages" in e) return;
      for (const key of REGION_LABELS) {
        const v = e.labels[key];
        if (v !== undefined) check(v, ["expect", i, "labels", key]);
      }
      const joined = e.labels["regions"];
      const parts = joined?.split(",") ?? [];
      if (joined !== undefined && (parts.some((r) => !s.regions.includes(r)) || [...parts].sort().join(",") !== joined)) {
        ctx.addIssue({ code: "custom", path: ["expect", i, "labels", "regions"], input: joined, message: `expected scenario regions, sorted and comma-joined (${s.regions.join(", ")})` });
      }
    });
  }, whenValid(["regions", "expect"]))
  .superRefine((s, ctx) => {
    // The probe agent refuses a rotation that is not a whole number of windows (>= 2): probes/agent.ts.
    const interval = s.probeInterval ?? DEFAULT_SCENARIO_PROBE_INTERVAL_MS;
    const rotate = s.probeRotate ?? DEFAULT_SCENARIO_PROBE_ROTATE_MS;
    if (!Number.isFinite(interval) || !Number.isFinite(rotate)) return;
    if (rotate < 2 * interval || rotate % interval !== 0) {
      ctx.addIssue({ code: "custom", path: [s.probeRotate === undefined ? "probeInterval" : "probeRotate"], input: s.probeRotate ?? s.probeInterval, message: `expected probeRotate (${formatDuration(rotate)}) to be a whole number of probe windows (${formatDuration(interval)}), at least two` });
    }
  }, whenValid([], ["probeInterval", "probeRotate"]));
export type Scenario = z.infer<typeof scenarioSchema>;

/** The regions a timeline event names, with their paths inside the event. */
export function regionsOf(e: TimelineEvent): [string, (string | number)[]][] {
  if ("partition" in e) return e.partition.map((r, i) => [r, ["partition", i]]);
  if ("isolate" in e) return e.isolate.map((r, i) => [r, ["isolate", i]]);
  if ("linkDown" in e) return e.linkDown.map((r, i) => [r, ["linkDown", i]]);
  if ("kill" in e) return [[e.kill, ["kill"]]];
  if ("restart" in e) return [[e.restart, ["restart"]]];
  if ("behaviour" in e) return [[e.behaviour.region, ["behaviour", "region"]]];
  if ("turnDown" in e) return [[e.turnDown, ["turnDown"]]];
  if ("turnUp" in e) return [[e.turnUp, ["turnUp"]]];
  return [[e.subscribe.region, ["subscribe", "region"]]];
}
