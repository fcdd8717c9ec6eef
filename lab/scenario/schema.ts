// The scenario file format — a contract: scenarios written by other people must run
// unchanged (DESIGN, "Scenario file"). Durations are strings like `10s`; every time in
// the timeline is from the start of the run.
import { z } from "zod";
import { ALERT_NAMES } from "../../core/alert.js";
import { durationSchema } from "../../core/duration.js";
import { regionSchema, trackIdSchema } from "../../core/region.js";
import { legacyBehaviourSchema } from "../../core/sfu-state.js";

/** DESIGN: "one-way latency per region pair (symmetric), default 10ms". */
export const DEFAULT_SCENARIO_LATENCY_MS = 10;

const regionPair = z.tuple([regionSchema, regionSchema]);
const regionList = z.array(regionSchema).min(1);
const alertName = z.enum(ALERT_NAMES, { error: `expected one of the alert names: ${ALERT_NAMES.join(", ")}` });
const labels = z.record(z.string(), z.string()).default({});

const linkSchema = z.strictObject({
  between: regionPair,
  latency: durationSchema.optional(),
  jitter: durationSchema.optional(),
  loss: z.number().min(0).max(1).optional(),
});

const at = { at: durationSchema };
const forOpt = { for: durationSchema.optional() };

export const timelineEventSchema = z.union([
  z.strictObject({ ...at, partition: regionList, ...forOpt }),
  z.strictObject({ ...at, isolate: regionList, ...forOpt }),
  z.strictObject({ ...at, linkDown: regionPair, ...forOpt }),
  z.strictObject({ ...at, kill: regionSchema }),
  z.strictObject({ ...at, restart: regionSchema }),
  z.strictObject({ ...at, behaviour: z.strictObject({ region: regionSchema, set: z.array(legacyBehaviourSchema) }) }),
  z.strictObject({ ...at, subscribe: z.strictObject({ region: regionSchema, track: trackIdSchema }) }),
]);
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const expectationSchema = z.union([
  z.strictObject({ alert: alertName, after: durationSchema.default(0), within: durationSchema, labels }),
  z.strictObject({ noAlert: alertName, after: durationSchema.optional(), within: durationSchema.optional(), labels }),
  // DESIGN: at most N pages during the run (after t=0); a page is a delivered, unmuted critical.
  z.strictObject({ maxPages: z.number().int().nonnegative() }),
]);
export type Expectation = z.infer<typeof expectationSchema>;

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    duration: durationSchema,
    probeInterval: durationSchema.optional(),
    probeRotate: durationSchema.optional(),
    regions: z.array(regionSchema).min(2),
    links: z.array(linkSchema).default([]),
    behaviours: z.record(regionSchema, z.array(legacyBehaviourSchema)).default({}),
    timeline: z.array(timelineEventSchema).default([]),
    expect: z.array(expectationSchema).default([]),
  })
  .superRefine((s, ctx) => {
    const known = new Set(s.regions);
    const check = (region: string, path: (string | number)[]) => {
      if (!known.has(region)) ctx.addIssue({ code: "custom", path, message: `expected one of the scenario's regions (${s.regions.join(", ")})`, input: region });
    };
    s.links.forEach((l, i) => { l.between.forEach((r, j) => { check(r, ["links", i, "between", j]); }); });
    for (const r of Object.keys(s.behaviours)) check(r, ["behaviours", r]);
    s.timeline.forEach((e, i) => {
      if (e.at > s.duration) ctx.addIssue({ code: "custom", path: ["timeline", i, "at"], message: `expected a time within the scenario's duration (${s.duration} ms)`, input: e.at });
      for (const [region, path] of regionsOf(e)) check(region, ["timeline", i, ...path]);
    });
  });
export type Scenario = z.infer<typeof scenarioSchema>;

/** The regions a timeline event names, with their paths inside the event. */
export function regionsOf(e: TimelineEvent): [string, (string | number)[]][] {
  if ("partition" in e) return e.partition.map((r, i) => [r, ["partition", i]]);
  if ("isolate" in e) return e.isolate.map((r, i) => [r, ["isolate", i]]);
  if ("linkDown" in e) return e.linkDown.map((r, i) => [r, ["linkDown", i]]);
  if ("kill" in e) return [[e.kill, ["kill"]]];
  if ("restart" in e) return [[e.restart, ["restart"]]];
  if ("behaviour" in e) return [[e.behaviour.region, ["behaviour", "region"]]];
  return [[e.subscribe.region, ["subscribe", "region"]]];
}
