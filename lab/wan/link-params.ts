// The settings of one directed WAN link, their defaults and limits, and the two ways they
// arrive: programmatic patches (milliseconds, bits/s) and JSON/YAML bodies (`"70ms"`,
// `"10mbit"`, the scenario file's `links:` spelling), parsed with zod.
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { durationSchema } from "../../core/duration.js";

export interface LinkParams {
  /** One-way delay added to every packet, milliseconds. */
  latencyMs: number;
  /** Delay varies uniformly within ±jitterMs around latencyMs (netem's default distribution). */
  jitterMs: number;
  /** Share of packets lost, 0..1. */
  loss: number;
  /** Mean loss-burst length in packets: 1 = independent loss, > 1 = Gilbert bursts. */
  burst: number;
  /** Bandwidth cap in bits/s; 0 = unlimited. */
  bandwidthBps: number;
  /** Let jitter reorder datagrams (netem does by default; real paths rarely do). */
  reorder: boolean;
  /** Administratively down (linkDown, `--down`). Partitions and isolations are separate cuts. */
  down: boolean;
}

export type LinkPatch = Partial<LinkParams>;

/** 60 s: far beyond any real one-way delay; a larger figure is a typo (ms vs s). */
export const MAX_LATENCY_MS = 60_000;

/** 100 Gbit/s: above that a cap on loopback means nothing. */
export const MAX_BANDWIDTH_BPS = 100e9;

/** 10,000 packets: a longer mean burst is a link that is down, which `down` says better. */
export const MAX_BURST_PACKETS = 10_000;

export function defaultLinkParams(latencyMs = 0): LinkParams {
  return { latencyMs, jitterMs: 0, loss: 0, burst: 1, bandwidthBps: 0, reorder: false, down: false };
}

/** Applies a patch to params, throwing ConfigError naming the first bad field. */
export function applyLinkPatch(params: LinkParams, patch: LinkPatch, where = "link"): LinkParams {
  const next: LinkParams = { ...params, ...stripUndefined(patch) };
  checkRange(`${where}.latencyMs`, next.latencyMs, 0, MAX_LATENCY_MS);
  checkRange(`${where}.jitterMs`, next.jitterMs, 0, MAX_LATENCY_MS);
  checkRange(`${where}.loss`, next.loss, 0, 1);
  checkRange(`${where}.burst`, next.burst, 1, MAX_BURST_PACKETS);
  checkRange(`${where}.bandwidthBps`, next.bandwidthBps, 0, MAX_BANDWIDTH_BPS);
  checkBoolean(`${where}.reorder`, next.reorder);
  checkBoolean(`${where}.down`, next.down);
  return next;
}

function checkRange(key: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(key, value, `a number from ${min} to ${max}`);
  }
}

/** Programmatic callers can be plain JavaScript: check what the type promises. */
function checkBoolean(key: string, value: unknown): void {
  if (typeof value !== "boolean") throw new ConfigError(key, value, "true or false");
}

function stripUndefined(patch: LinkPatch): LinkPatch {
  const entries: Array<[string, unknown]> = Object.entries(patch);
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

const BANDWIDTH_UNITS = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 } as const;
const BANDWIDTH_RE = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit)$/i;

/** Parses `"10mbit"`, `"512kbit"` (tc's spelling) to bits/s, or null when it is not one. */
export function parseBandwidth(text: string): number | null {
  const m = BANDWIDTH_RE.exec(text.trim());
  if (m === null) return null;
  const [, value, unit] = m;
  if (value === undefined || unit === undefined) return null;
  return Number(value) * BANDWIDTH_UNITS[unit.toLowerCase() as keyof typeof BANDWIDTH_UNITS];
}

export const bandwidthSchema = z.union([z.number().nonnegative().max(MAX_BANDWIDTH_BPS), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const bps = parseBandwidth(v);
  if (bps === null || bps > MAX_BANDWIDTH_BPS) {
    ctx.addIssue({ code: "custom", message: "expected bits/s or a rate like 512kbit, 10mbit, 1gbit" });
    return z.NEVER;
  }
  return bps;
});

const boundedDuration = durationSchema.refine((ms) => ms <= MAX_LATENCY_MS, { message: `expected at most ${MAX_LATENCY_MS}ms` });

/** A link setting as written in JSON bodies and scenario files; every field optional. */
export const linkSettingsSchema = z.strictObject({
  latency: boundedDuration.optional(),
  jitter: boundedDuration.optional(),
  loss: z.number().min(0).max(1).optional(),
  burst: z.number().min(1).max(MAX_BURST_PACKETS).optional(),
  bandwidth: bandwidthSchema.optional(),
  reorder: z.boolean().optional(),
  down: z.boolean().optional(),
});
export type LinkSettings = z.infer<typeof linkSettingsSchema>;

/** Converts parsed settings (`latency: 70`) to a programmatic patch (`latencyMs: 70`). */
export function settingsToPatch(s: LinkSettings): LinkPatch {
  const patch: LinkPatch = {};
  if (s.latency !== undefined) patch.latencyMs = s.latency;
  if (s.jitter !== undefined) patch.jitterMs = s.jitter;
  if (s.loss !== undefined) patch.loss = s.loss;
  if (s.burst !== undefined) patch.burst = s.burst;
  if (s.bandwidth !== undefined) patch.bandwidthBps = s.bandwidth;
  if (s.reorder !== undefined) patch.reorder = s.reorder;
  if (s.down !== undefined) patch.down = s.down;
  return patch;
}
