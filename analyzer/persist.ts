// Persistence through the store writer (batched, spooled on outage): probe results as they
// arrive, relay edges on every structural change plus a periodic full snapshot, region
// health on change plus periodically, and every alert transition. Never blocks detection:
// StoreWriter.write() only buffers.
import type { Alert } from "../core/alert.js";
import type { ProbeResult } from "../core/probe-result.js";
import type { RegionHealth } from "../core/region-health.js";
import type { RelayEdge } from "../core/relay-edge.js";
import { alertRow, probeResultRow, regionHealthRow, relayEdgeRow, type Row } from "../store/rows.js";
import type { StoreWriter } from "../store/writer.js";
import type { AnalyzerEngine } from "./engine.js";
import { regionHealth } from "./graph/region-book.js";
import { trackOrigin } from "./graph/relay-graph.js";

/** 60 s: replay (TUI --at) finds every copy's state within a minute without a row per packet update. */
export const EDGE_SNAPSHOT_INTERVAL_MS = 60_000;
/** 10 s: region health history at a resolution the isolation timeline needs. */
export const HEALTH_SNAPSHOT_INTERVAL_MS = 10_000;

export class Persister {
  private readonly writer: StoreWriter;

  constructor(writer: StoreWriter) {
    this.writer = writer;
  }

  probes(results: readonly ProbeResult[]): void {
    const rows = new Array<Row>(results.length);
    for (let i = 0; i < results.length; i++) rows[i] = probeResultRow(results[i] as ProbeResult);
    this.writer.write("probe_results", rows);
  }

  edge(e: RelayEdge): void {
    this.writer.write("relay_edges", [relayEdgeRow(e)]);
  }

  health(h: RegionHealth): void {
    this.writer.write("region_health", [regionHealthRow(h)]);
  }

  /** Alert rows are flushed at once: a restart (even kill -9) must find what was firing. */
  alert(a: Alert): void {
    this.writer.write("alerts", [alertRow(a)]);
    void this.writer.flush().catch(() => undefined);
  }

  /** Every copy of every track as a `snapshot` edge row. */
  snapshotEdges(engine: AnalyzerEngine, now: number): void {
    let rows: Row[] = [];
    for (const t of engine.graph.allTracks()) {
      const origin = trackOrigin(t);
      for (const n of t.nodes.values()) {
        rows.push(relayEdgeRow({ ts: now, track: t.track, region: n.region, upstream: n.upstream, origin, state: n.state, path: [...n.path], packets: n.packets, bytes: n.bytes, kind: "snapshot" }));
        if (rows.length >= 10_000) {
          this.writer.write("relay_edges", rows);
          rows = [];
        }
      }
    }
    this.writer.write("relay_edges", rows);
  }

  snapshotHealth(engine: AnalyzerEngine, now: number): void {
    const rows: Row[] = [];
    for (const r of engine.regions.all()) {
      const h = regionHealth(r, now);
      if (h !== null) rows.push(regionHealthRow(h));
    }
    this.writer.write("region_health", rows);
  }
}
