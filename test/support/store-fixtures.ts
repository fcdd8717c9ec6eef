// Test data for the store: deterministic probe results, edges, health rows and alerts.
// Used by the store tests, benches and the dashboards' query tests.
import type { Alert } from "../../core/alert.js";
import type { ProbeResult, ProbeStatus } from "../../core/probe-result.js";
import { seededRandom } from "../../core/random.js";
import { DEFAULT_REGIONS } from "../../core/region.js";

const STATUSES: readonly ProbeStatus[] = ["ok", "ok", "ok", "ok", "ok", "ok", "degraded", "no_media", "timeout"];

/** `count` probe results spread over the regions' ordered pairs, one window per `stepMs`. */
export function makeProbeResults(count: number, opts: { start: number; stepMs?: number; seed?: number; regions?: readonly string[] }): ProbeResult[] {
  const regions = opts.regions ?? DEFAULT_REGIONS;
  const pairs: [string, string][] = [];
  for (const s of regions) for (const d of regions) if (s !== d) pairs.push([s, d]);
  const rnd = seededRandom(opts.seed ?? 1);
  const step = opts.stepMs ?? 1000;
  const out: ProbeResult[] = [];
  for (let i = 0; i < count; i++) {
    const pair = pairs[i % pairs.length] ?? ["a", "b"];
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)] ?? "ok";
    const sent = 50;
    const lost = status === "ok" ? 0 : status === "degraded" ? 3 : sent;
    const lat = 10 + Math.floor(rnd() * 100);
    out.push({
      ts: opts.start + Math.floor(i / pairs.length) * step,
      windowMs: 1000,
      src: pair[0],
      dst: pair[1],
      track: `probe/${pair[0]}-${Math.floor(i / (pairs.length * 30))}`,
      status,
      reason: status === "ok" ? "" : `${status} in window`,
      sent,
      received: sent - lost,
      lost,
      duplicates: 0,
      reordered: 0,
      jitterMs: rnd() * 3,
      latencyP50Ms: lost === sent ? null : lat,
      latencyP95Ms: lost === sent ? null : lat + 5,
      ttfpMs: null,
      setupMs: null,
      relayPath: [pair[0], pair[1]],
    });
  }
  return out;
}

export function makeAlert(overrides: Partial<Alert> & Pick<Alert, "fingerprint">): Alert {
  return {
    name: "RelayLoop",
    state: "firing",
    severity: "critical",
    labels: { severity: "critical", track: "room/cam", regions: "eu-central,eu-west" },
    summary: "relay loop eu-central → eu-west → eu-central",
    evidence: { cycle: ["eu-central", "eu-west", "eu-central"] },
    startsAt: 1_000,
    endsAt: null,
    updatedAt: 1_000,
    ...overrides,
  };
}
