// Direct store writes (remote ClickHouse mode): results go through the store's StoreWriter,
// which batches, spools to disk when ClickHouse is down and replays in order, so nothing
// is dropped for an outage. What it dead-letters (a batch ClickHouse keeps rejecting) is
// counted here as `rejected`; rows still in the writer's disk spool at close are not lost
// (the next run replays them) and stay in `buffered`. `delivered` counts every probe row the
// writer inserted, including rows replayed from an earlier run's spool.
import { InvalidStateError } from "../../core/errors.js";
import type { ProbeResult } from "../../core/probe-result.js";
import { probeResultRow } from "../../store/rows.js";
import { PROBE_RESULTS } from "../../store/tables.js";
import type { StoreWriter } from "../../store/writer.js";
import type { ProbeMetrics } from "../metrics.js";
import { emptySinkStats, type ProbeSink, type SinkStats } from "./sink.js";

export class StoreSink implements ProbeSink {
  readonly name = "store";
  private readonly writer: StoreWriter;
  private readonly metrics: ProbeMetrics;
  private readonly counts = emptySinkStats();
  private closing: Promise<void> | null = null;

  constructor(writer: StoreWriter, metrics: ProbeMetrics) {
    this.writer = writer;
    this.metrics = metrics;
    metrics.initSink(this.name);
    writer.events.on("inserted", (b) => {
      if (b.table !== PROBE_RESULTS.name) return;
      this.counts.delivered += b.rows;
      this.metrics.resultsDelivered.inc({ sink: this.name }, b.rows);
    });
    writer.events.on("deadLettered", (b) => {
      if (b.table !== PROBE_RESULTS.name) return;
      this.counts.dropped.rejected += b.rows;
      this.metrics.resultsDropped.inc({ sink: this.name, reason: "rejected" }, b.rows);
    });
  }

  submit(results: readonly ProbeResult[]): void {
    if (this.closing !== null) throw new InvalidStateError("StoreSink.submit(): sink closed");
    this.writer.write(PROBE_RESULTS.name, results.map(probeResultRow));
    this.counts.submitted += results.length;
    this.metrics.resultsSubmitted.inc({ sink: this.name }, results.length);
  }

  stats(): SinkStats {
    const c = this.counts;
    const buffered = c.submitted - c.delivered - c.dropped.rejected;
    return { ...c, dropped: { ...c.dropped }, buffered: Math.max(0, buffered) };
  }

  close(): Promise<void> {
    this.closing ??= this.writer.close();
    return this.closing;
  }
}
