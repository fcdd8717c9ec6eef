// The probe agent's own metrics, `relaywatch_probe_*`, on an injected prom-client registry.
// Pair metrics carry `src`/`dst`; delivery metrics carry the sink. Creating two ProbeMetrics
// on one registry is an error (prom-client refuses duplicate names), by design.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { PROBE_STATUSES, type ProbeResult } from "../core/probe-result.js";

export type DropReason = "buffer_full" | "rejected" | "shutdown";
export const DROP_REASONS: readonly DropReason[] = ["buffer_full", "rejected", "shutdown"];

/** Setup of a WHEP subscription spans one relay pull per hop: 5 ms … 10 s. */
const SETUP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One-way latency, 1 ms … 2.5 s: same-region pairs take a few ms, inter-region WAN paths
 * 10–300 ms, and RelayLatencyHigh's concern starts in the hundreds of ms (the classifier's
 * DEGRADED_LATENCY_P95_MS). Quantiles come from histogram_quantile() over these buckets.
 */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5];

export class ProbeMetrics {
  readonly pairStatus: Gauge<"src" | "dst" | "status">;
  readonly windows: Counter<"src" | "dst" | "status">;
  readonly latency: Histogram<"src" | "dst">;
  readonly loss: Gauge<"src" | "dst">;
  readonly jitter: Gauge<"src" | "dst">;
  readonly setup: Histogram<"kind">;
  readonly packetsSent: Counter;
  readonly packetsReceived: Counter<"src">;
  readonly packetsIgnored: Counter<"reason">;
  readonly publishes: Counter<"result">;
  readonly resultsSubmitted: Counter<"sink">;
  readonly resultsDelivered: Counter<"sink">;
  readonly resultsDropped: Counter<"sink" | "reason">;
  readonly resultsBuffered: Gauge<"sink">;
  readonly deliveryAttempts: Counter<"sink" | "outcome">;
  readonly stalledWindows: Counter;
  readonly failedOver: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.pairStatus = new Gauge({ name: "relaywatch_probe_pair_status", help: "1 for the status of the pair's last window, 0 for the others", labelNames: ["src", "dst", "status"], registers });
    this.windows = new Counter({ name: "relaywatch_probe_windows_total", help: "Probe windows by pair and status", labelNames: ["src", "dst", "status"], registers });
    this.latency = new Histogram({
      name: "relaywatch_probe_latency_seconds",
      help: "One-way latency of the pair, one observation per window: the window's median (same-clock hosts only)",
      labelNames: ["src", "dst"],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.loss = new Gauge({ name: "relaywatch_probe_loss_ratio", help: "Packet loss of the pair's last window (lost / expected)", labelNames: ["src", "dst"], registers });
    this.jitter = new Gauge({ name: "relaywatch_probe_jitter_seconds", help: "RFC 3550 interarrival jitter of the pair at the end of the last window", labelNames: ["src", "dst"], registers });
    this.setup = new Histogram({ name: "relaywatch_probe_setup_seconds", help: "WHIP publish / WHEP subscribe: request to ICE+DTLS connected", labelNames: ["kind"], buckets: SETUP_BUCKETS_S, registers });
    this.packetsSent = new Counter({ name: "relaywatch_probe_sent_packets_total", help: "Probe RTP packets sent by this agent's publishers", registers });
    this.packetsReceived = new Counter({ name: "relaywatch_probe_received_packets_total", help: "Probe RTP packets received (valid header, expected track)", labelNames: ["src"], registers });
    this.packetsIgnored = new Counter({ name: "relaywatch_probe_ignored_packets_total", help: "Received RTP packets not counted: bad header or another track's", labelNames: ["reason"], registers });
    this.publishes = new Counter({ name: "relaywatch_probe_publishes_total", help: "WHIP publish attempts of probe tracks by result", labelNames: ["result"], registers });
    this.resultsSubmitted = new Counter({ name: "relaywatch_probe_results_submitted_total", help: "Probe results handed to a sink", labelNames: ["sink"], registers });
    this.resultsDelivered = new Counter({ name: "relaywatch_probe_results_delivered_total", help: "Probe results a sink delivered", labelNames: ["sink"], registers });
    this.resultsDropped = new Counter({ name: "relaywatch_probe_results_dropped_total", help: "Probe results a sink gave up on, by reason", labelNames: ["sink", "reason"], registers });
    this.resultsBuffered = new Gauge({ name: "relaywatch_probe_results_buffered", help: "Probe results waiting in a sink's buffer", labelNames: ["sink"], registers });
    this.failedOver = new Gauge({ name: "relaywatch_probe_failed_over", help: "1 while new sessions go to a failover SFU because the home SFU refuses them (--failover)", registers });
    this.stalledWindows = new Counter({ name: "relaywatch_probe_stalled_windows_total", help: "Windows in which this agent's own event loop stalled 100 ms or more: their results report no latency", registers });
    this.deliveryAttempts = new Counter({ name: "relaywatch_probe_delivery_attempts_total", help: "Batch delivery attempts by outcome", labelNames: ["sink", "outcome"], registers });
  }

  /** Sets the pair gauges and counters from one window's result. */
  observeResult(r: ProbeResult): void {
    const pair = { src: r.src, dst: r.dst };
    for (const s of PROBE_STATUSES) this.pairStatus.set({ ...pair, status: s }, s === r.status ? 1 : 0);
    this.windows.inc({ ...pair, status: r.status });
    this.loss.set(pair, r.sent === 0 ? 0 : r.lost / r.sent);
    this.jitter.set(pair, r.jitterMs / 1000);
    if (r.latencyP50Ms !== null) this.latency.observe(pair, r.latencyP50Ms / 1000);
  }

  /** Pre-creates a sink's series at 0, so "no drops" is a visible 0 and not a missing series. */
  initSink(sink: string): void {
    this.resultsSubmitted.inc({ sink }, 0);
    this.resultsDelivered.inc({ sink }, 0);
    for (const reason of DROP_REASONS) this.resultsDropped.inc({ sink, reason }, 0);
    this.resultsBuffered.set({ sink }, 0);
  }
}

