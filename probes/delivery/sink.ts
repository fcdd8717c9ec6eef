// Where probe results go: the analyzer ingest, the store, stdout. A sink never blocks the
// agent (submit() only buffers) and never loses a result silently: whatever it gives up on
// is counted by reason in its stats and in `relaywatch_probe_results_dropped_total`.
import type { ProbeResult } from "../../core/probe-result.js";
import type { DropReason } from "../metrics.js";

export interface SinkStats {
  submitted: number;
  delivered: number;
  dropped: Record<DropReason, number>;
  /** Waiting, including a batch in flight. submitted = delivered + Σ dropped + buffered. */
  buffered: number;
}

export interface ProbeSink {
  readonly name: string;
  submit(results: readonly ProbeResult[]): void;
  stats(): SinkStats;
  /** Delivers what it can within its deadline, counts the rest as dropped; idempotent. */
  close(): Promise<void>;
}

export function emptySinkStats(): SinkStats {
  return { submitted: 0, delivered: 0, dropped: { buffer_full: 0, rejected: 0, shutdown: 0 }, buffered: 0 };
}

/** Hands every result to every sink; one sink's trouble never affects another. */
export class FanOutSink implements ProbeSink {
  readonly name = "fan-out";
  private readonly sinks: readonly ProbeSink[];
  private closing: Promise<void> | null = null;

  constructor(sinks: readonly ProbeSink[]) {
    this.sinks = sinks;
  }

  submit(results: readonly ProbeResult[]): void {
    for (const s of this.sinks) s.submit(results);
  }

  stats(): SinkStats {
    const total = emptySinkStats();
    for (const s of this.sinks) {
      const st = s.stats();
      total.submitted += st.submitted;
      total.delivered += st.delivered;
      total.buffered += st.buffered;
      for (const k of Object.keys(total.dropped) as DropReason[]) total.dropped[k] += st.dropped[k];
    }
    return total;
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.sinks.map((s) => s.close())).then(() => undefined);
    return this.closing;
  }
}
