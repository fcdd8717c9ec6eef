// The TURN probe's metrics, `relaywatch_probe_turn_*`, labelled by the region whose TURN
// server is measured. Kept apart from the pair metrics: a TURN window is not a region pair,
// and pair rules (ProbePairFailing) must not read it as one.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { AllocationOutcome } from "./allocate.js";

/** Allocate on a working server takes a few ms on a LAN to a few hundred across a WAN. */
const ALLOCATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type AllocationResultLabel = "ok" | "refused" | "timeout" | "unreachable" | "bad_answer";

export class TurnMetrics {
  readonly allocations: Counter<"region" | "result" | "code">;
  readonly allocationSeconds: Histogram<"region">;
  readonly allocationOk: Gauge<"region">;
  readonly mediaOk: Gauge<"region">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.allocations = new Counter({ name: "relaywatch_probe_turn_allocations_total", help: "TURN Allocate attempts of the probe by result (code: the server's TURN error code when refused)", labelNames: ["region", "result", "code"], registers });
    this.allocationSeconds = new Histogram({ name: "relaywatch_probe_turn_allocation_seconds", help: "Time to a successful TURN allocation (request to success response)", labelNames: ["region"], buckets: ALLOCATION_BUCKETS_S, registers });
    this.allocationOk = new Gauge({ name: "relaywatch_probe_turn_allocation_ok", help: "1 when the last TURN allocation of the probe succeeded, else 0", labelNames: ["region"], registers });
    this.mediaOk = new Gauge({ name: "relaywatch_probe_turn_media_ok", help: "1 when the last window of media through the TURN relay was ok or degraded, else 0", labelNames: ["region"], registers });
  }

  observeAllocation(region: string, a: AllocationOutcome): void {
    const result: AllocationResultLabel = a.ok ? "ok" : a.kind;
    this.allocations.inc({ region, result, code: a.ok || a.code === null ? "" : String(a.code) });
    if (a.ok) this.allocationSeconds.observe({ region }, a.ms / 1000);
    this.allocationOk.set({ region }, a.ok ? 1 : 0);
  }
}
