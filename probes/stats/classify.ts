// Window classification: one status from core's closed set and a reason a person can act
// on, from what the subscription looked like at the end of the window. Pure: no I/O, no
// clock; thresholds are named constants that callers may override.
import type { ProbeStatus } from "../../core/probe-result.js";
import type { PairObservation, SetupFailure } from "./observation.js";
import { quantile } from "./receiver-stats.js";

/**
 * 5 % loss → degraded. A 1 s window at the default 50 pps holds 50 packets, so one random
 * loss is already 2 %; 5 % (3 or more packets) keeps single losses from flapping a pair
 * while catching the sustained loss at which Opus concealment becomes audible.
 */
export const DEGRADED_LOSS_RATIO = 0.05;
/**
 * 300 ms p95 one-way → degraded. ITU-T G.114 puts interactive voice at ≤ 150 ms one-way
 * (400 ms the outer limit); the lab's longest emulated haul is ~100 ms, so a p95 of 300 ms
 * means media is queueing somewhere, not travelling.
 */
export const DEGRADED_LATENCY_P95_MS = 300;

export interface Thresholds {
  lossRatio: number;
  latencyP95Ms: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { lossRatio: DEGRADED_LOSS_RATIO, latencyP95Ms: DEGRADED_LATENCY_P95_MS };

export interface Classification {
  status: ProbeStatus;
  reason: string;
}

export function classifyWindow(obs: PairObservation, windowMs: number, thresholds: Thresholds = DEFAULT_THRESHOLDS): Classification {
  switch (obs.phase) {
    case "failed":
      return classifyFailure(obs.failure);
    case "pending":
      return { status: "no_media", reason: `subscription setup in progress for ${Math.round(obs.elapsedMs)} ms` };
    case "connected": {
      const f = obs.figures;
      if (f.received === 0) {
        return {
          status: "no_media",
          reason: `connected for ${formatMs(obs.connectedForMs)} but no probe packets in this ${windowMs} ms window (${obs.totalReceived} received in total)`,
        };
      }
      const loss = f.expected === 0 ? 0 : f.lost / f.expected;
      const p95 = quantile(f.latenciesMs, 0.95) ?? 0;
      const problems: string[] = [];
      if (loss > thresholds.lossRatio) problems.push(`loss ${pct(loss)} > ${pct(thresholds.lossRatio)} (${f.lost} of ${f.expected})`);
      if (p95 > thresholds.latencyP95Ms) problems.push(`p95 latency ${p95.toFixed(1)} ms > ${thresholds.latencyP95Ms} ms`);
      if (problems.length > 0) return { status: "degraded", reason: problems.join("; ") };
      return { status: "ok", reason: `${f.received} packets, loss ${pct(loss)}, p95 ${p95.toFixed(1)} ms` };
    }
  }
}

export function classifyFailure(failure: SetupFailure): Classification {
  switch (failure.kind) {
    case "http": {
      const what = `HTTP ${failure.status}${failure.statusText === "" ? "" : ` ${failure.statusText}`} from ${failure.endpoint}`;
      const detail = [failure.errorCode, failure.detail].filter((s) => s !== null && s !== "").join(": ");
      const suffix = detail === "" ? "" : ` (${detail})`;
      // 504: the SFU's own upstream (a relay pull) did not answer in time — the media path
      // timed out, which is what `timeout` means; the status stays in the reason.
      if (failure.status === 504) return { status: "timeout", reason: `${what}: the SFU timed out setting up the relay${suffix}` };
      if (failure.status === 503) {
        const retry = failure.retryAfterMs === null ? "" : `, retry after ${formatMs(failure.retryAfterMs)}`;
        return { status: "region_offline", reason: `${what}: region offline${retry}${suffix}` };
      }
      return { status: "http_error", reason: `${what}${suffix}` };
    }
    case "timeout":
      return {
        status: "timeout",
        reason: failure.stage === "request" ? `no WHEP answer within ${formatMs(failure.afterMs)}` : `ICE/DTLS not connected within ${formatMs(failure.afterMs)}`,
      };
    case "setup":
      return { status: "setup_failed", reason: `${failure.stage}: ${failure.detail}` };
  }
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
