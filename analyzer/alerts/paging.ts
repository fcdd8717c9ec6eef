// Who is woken, and when (DESIGN: "critical pages, warning does not"). Detectors say what
// is wrong; this policy says how loud. Pure: findings in, findings out.
//   - Symptoms — what the probes and the relay graph show of a fault, which often heals by
//     itself (a blip, a relay being set up again): ProbePairFailing, RelayLatencyHigh,
//     MissingRelay, TurnUnavailable (a TURN server restarting or a brief refusal heals too).
//     Each fires at once as a `warning` (visible in the TUI, the API, the
//     store and Alertmanager) and is escalated to `critical` — the same alert, its severity
//     raised — only if it still holds after the paging horizon. A muted symptom
//     (inhibition.ts) never pages while its cause fires.
//   - RegionUnreachable: a warning after its for period (a restart or a dropped stream
//     reconnects within it), critical once the region has stayed unreachable for
//     REGION_GONE_PAGE_MS: a region that really died pages.
//   - Structural causes — RelayLoop, FalseIsolation, RegionOffline: they do not heal by
//     themselves, and page as the detector reports them (critical, at once).
import type { AlertName } from "../../core/alert.js";
import type { Finding } from "../detectors/finding.js";

/**
 * 30 s: longer than any fault the mesh rides out by itself. A partition or link cut shorter
 * than the SFU's --upstream-lost (10 s) keeps every relay, and media resumes when the link
 * does: a pair fails for the cut plus the two ok windows that clear k-of-n (2 of 3 at 1 s),
 * ~9 s for a 6 s cut; a fresh probe track whose relay setup the cut broke is set up again by
 * the next rotation (10 s in the lab), so a self-healing blip's symptoms end within ~16 s.
 * Measured (issue 15, lab worlds): a 4 s and a 6 s partition paged region-level
 * ProbePairFailing, and relay re-setup MissingRelay held 0.6 s past its 2.5 s for period.
 * lab/scenarios/blips.yaml (four ≤ 6 s cuts) on a 2-core machine at load ~15: the longest
 * ProbePairFailing lasted 11 s, MissingRelay 5 s, a latency warning 15 s — 0 pages.
 * 30 s is about twice the worst blip: a real outage still pages within half a minute.
 * Configurable (thresholds.pagingHorizon).
 */
export const PAGING_HORIZON_MS = 30_000;

/**
 * 10×: a slow link still delivers media; it pages when it lasts like a budget burn, not like
 * a blip (5 min at the default horizon, the Google SRE Workbook's short window for
 * multiwindow burn-rate alerts).
 */
export const LATENCY_HORIZON_FACTOR = 10;

/**
 * 10 s: the SFU's --upstream-lost — from then on every other region treats a region it
 * cannot reach as gone and tears its relays from it down; the analyzer calls it dead at the
 * same point. A restart (kill + start) is back well within it.
 */
export const REGION_GONE_PAGE_MS = 10_000;

/** Alerts that describe a symptom, paged only when it persists past the horizon. */
export const SYMPTOM_ALERTS: ReadonlySet<AlertName> = new Set(["ProbePairFailing", "RelayLatencyHigh", "MissingRelay", "TurnUnavailable"]);

/** How long a symptom's critical version pends: the horizon, or longer for a slow link. */
export function pagingHorizonOf(name: AlertName, horizonMs: number): number {
  if (name === "RelayLatencyHigh") return horizonMs * LATENCY_HORIZON_FACTOR;
  if (name === "RegionUnreachable") return REGION_GONE_PAGE_MS;
  return horizonMs;
}

/** Whether a finding of this name is reported as a warning first and escalates to critical. */
export function escalates(name: AlertName): boolean {
  return SYMPTOM_ALERTS.has(name) || name === "RegionUnreachable";
}

/**
 * The findings as the alert book should see them: symptoms (and RegionUnreachable) as
 * warnings that escalate after their horizon (counted from the finding's `since` when the
 * detector knows it, else from its first report); everything else unchanged, `info` included.
 */
export function applyPagingPolicy(findings: readonly Finding[], horizonMs: number): readonly Finding[] {
  if (!findings.some((f) => escalates(f.name) && f.severity !== "info")) return findings;
  return findings.map((f) => (escalates(f.name) && f.severity !== "info" ? { ...f, severity: "warning", escalateAfterMs: Math.max(f.forMs, pagingHorizonOf(f.name, horizonMs)) } : f));
}
