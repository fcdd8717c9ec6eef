// The analyzer's own metrics, on an injected prom-client Registry (never the global one).
// Names: relaywatch_analyzer_<what>_<unit>.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { ALERT_NAMES, type AlertName } from "../core/alert.js";

export type EventKind = "sfu_event" | "snapshot" | "probe_result";
export type DetectorInput = "event" | "probes" | "tick";

export class AnalyzerMetrics {
  readonly events: Counter<"kind">;
  readonly detectorSeconds: Histogram<"input">;
  readonly timeToDetect: Histogram<"alertname">;
  readonly sinkErrors: Counter<"sink">;
  readonly ingestRejected: Counter<"reason">;
  readonly regionConnected: Gauge<"region">;
  readonly agentClockSkew: Gauge<"region">;

  constructor(registry: Registry, firingCount: (name: AlertName) => number) {
    const registers = [registry];
    this.events = new Counter({ name: "relaywatch_analyzer_events_total", help: "Inputs processed: SFU events, region snapshots, probe results", labelNames: ["kind"], registers });
    this.detectorSeconds = new Histogram({
      name: "relaywatch_analyzer_detector_seconds",
      help: "Detector run time per input (one SFU event, one probe batch, one sweep)",
      labelNames: ["input"],
      // Microseconds matter: the goal is ≥ 100k events/s, i.e. ≤ 10 µs per event.
      buckets: [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.025, 0.1],
      registers,
    });
    this.timeToDetect = new Histogram({
      name: "relaywatch_analyzer_time_to_detect_seconds",
      help: "From the timestamp of the event that revealed a problem to the alert firing",
      labelNames: ["alertname"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    new Gauge({
      name: "relaywatch_analyzer_alerts_firing",
      help: "Alerts firing now, by name",
      labelNames: ["alertname"],
      registers,
      collect() {
        for (const n of ALERT_NAMES) this.set({ alertname: n }, firingCount(n));
      },
    });
    this.sinkErrors = new Counter({ name: "relaywatch_analyzer_sink_errors_total", help: "Failed deliveries to an alert sink (each is retried)", labelNames: ["sink"], registers });
    this.ingestRejected = new Counter({ name: "relaywatch_analyzer_ingest_rejected_total", help: "Probe ingest requests refused, by reason (unauthorized, clock_ahead, clock_behind, unknown_region, foreign_pair, invalid_payload, ...)", labelNames: ["reason"], registers });
    this.regionConnected = new Gauge({ name: "relaywatch_analyzer_region_connected", help: "1 while the analyzer reaches the region's API", labelNames: ["region"], registers });
    this.agentClockSkew = new Gauge({
      name: "relaywatch_analyzer_agent_clock_skew_seconds",
      help: "Newest window end in the region's agent's last batch minus the analyzer's clock (about -1 window when in step; positive: the agent's clock is ahead)",
      labelNames: ["region"],
      registers,
    });
  }
}
