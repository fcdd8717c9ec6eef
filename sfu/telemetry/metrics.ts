// The region node's Prometheus metrics, on an injected registry (never the global one).
// Names follow `relaywatch_sfu_<what>_<unit>[_total]` (Prometheus naming: base units, the unit
// before `_total`, `_total` on counters only); label names are literal unions. Gauges that
// mirror engine state (tracks, subscribers, relays, forwarded counters) are filled at
// scrape time from a sampler the node provides, so the packet path never touches prom-client.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { PipeDropReason } from "../media/pipe-drop.js";
import type { SessionExpiryReason } from "../node/session-expiry.js";

export type RelayDirection = "in" | "out";

/** What the node reports at scrape time. */
export interface MetricsSample {
  tracks: { source: "publisher" | "relay"; count: number }[];
  subscribers: number;
  relays: { state: string; direction: RelayDirection; peer: string; count: number }[];
  /** Cumulative since start (the node keeps the running sums). */
  packetsForwarded: number;
  bytesForwarded: number;
  packetsReceived: number;
  bytesReceived: number;
}

/**
 * Relay setup buckets, seconds: loopback hops take a few ms, WAN hops tens to hundreds,
 * and anything past 10 s is a stuck relay (the WHEP wait gives up there).
 */
const SETUP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The scrape-time metrics: filled from the node's sampler on every collect() (a handful of
 * engine counters, cheap enough), so the packet path never touches prom-client.
 */
function registerSampled(registers: Registry[], sampled: () => MetricsSample | null): void {
  new Gauge<"source">({
    name: "relaywatch_sfu_tracks",
    help: "Tracks held in this region, by source (publisher here or relay-in)",
    labelNames: ["source"],
    registers,
    collect() {
      this.reset();
      for (const t of sampled()?.tracks ?? []) this.set({ source: t.source }, t.count);
    },
  });
  new Gauge({
    name: "relaywatch_sfu_subscribers",
    help: "WHEP subscribers connected to this region",
    registers,
    collect() {
      this.set(sampled()?.subscribers ?? 0);
    },
  });
  new Gauge<"state" | "direction" | "peer">({
    name: "relaywatch_sfu_relays",
    help: "Inter-region relays by state, direction (in = pulled from peer, out = served to peer) and peer",
    labelNames: ["state", "direction", "peer"],
    registers,
    collect() {
      this.reset();
      for (const r of sampled()?.relays ?? []) this.inc({ state: r.state, direction: r.direction, peer: r.peer }, r.count);
    },
  });
  const cumulative = (name: string, help: string, pick: (s: MetricsSample) => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        const s = sampled();
        if (s === null) return;
        this.reset();
        this.inc(pick(s));
      },
    });
  };
  cumulative("relaywatch_sfu_forwarded_packets_total", "RTP packets sent to WHEP subscribers", (s) => s.packetsForwarded);
  cumulative("relaywatch_sfu_forwarded_bytes_total", "RTP bytes sent to WHEP subscribers", (s) => s.bytesForwarded);
  cumulative("relaywatch_sfu_received_packets_total", "RTP packets received from publishers and relay-ins", (s) => s.packetsReceived);
  cumulative("relaywatch_sfu_received_bytes_total", "RTP bytes received from publishers and relay-ins", (s) => s.bytesReceived);
}

export class SfuMetrics {
  readonly relaySetupSeconds: Histogram<"hops">;
  readonly pipePacketsDroppedTotal: Counter<"reason">;
  readonly peerRttSeconds: Gauge<"peer">;
  readonly peerReachable: Gauge<"peer">;
  readonly regionState: Gauge;
  readonly isolationDecisionsTotal: Counter<"decision">;
  readonly httpRequestsTotal: Counter<"route" | "status">;
  readonly pullsTotal: Counter<"result">;
  readonly relaysLost: Counter<"upstream">;
  readonly mediaWorkerEventsTotal: Counter<"event">;
  readonly sessionsExpiredTotal: Counter<"kind" | "reason">;
  private sampler: (() => MetricsSample) | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    registerSampled(registers, () => this.sampler?.() ?? null);
    this.relaySetupSeconds = new Histogram({
      name: "relaywatch_sfu_relay_setup_seconds",
      help: "Time from a subscribe needing a relay to the relay's first packet, by hops from the origin",
      labelNames: ["hops"],
      buckets: SETUP_BUCKETS,
      registers,
    });
    this.mediaWorkerEventsTotal = new Counter({
      name: "relaywatch_sfu_media_worker_events_total",
      help: "Media worker processes that died or were restarted (mediasoup engine), by event",
      labelNames: ["event"],
      registers,
    });
    this.sessionsExpiredTotal = new Counter({
      name: "relaywatch_sfu_sessions_expired_total",
      help: "WHIP/WHEP sessions ended by the region because they never connected or their media stopped, by kind and reason",
      labelNames: ["kind", "reason"],
      registers,
    });
    this.pipePacketsDroppedTotal = new Counter({
      name: "relaywatch_sfu_pipe_dropped_packets_total",
      help: "Datagrams on relay-in pipes that were not forwarded, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.peerRttSeconds = new Gauge({ name: "relaywatch_sfu_peer_rtt_seconds", help: "Smoothed heartbeat RTT to each peer", labelNames: ["peer"], registers });
    this.peerReachable = new Gauge({ name: "relaywatch_sfu_peer_reachable", help: "1 when the peer answers heartbeats, else 0", labelNames: ["peer"], registers });
    this.regionState = new Gauge({ name: "relaywatch_sfu_region_state", help: "1 when this region is online, 0 when offline", registers });
    this.regionState.set(1);
    this.isolationDecisionsTotal = new Counter({
      name: "relaywatch_sfu_isolation_decisions_total",
      help: "Isolation policy decisions that changed or confirmed the region state, by decision",
      labelNames: ["decision"],
      registers,
    });
    this.httpRequestsTotal = new Counter({
      name: "relaywatch_sfu_http_requests_total",
      help: "HTTP requests served, by route template and status",
      labelNames: ["route", "status"],
      registers,
    });
    this.pullsTotal = new Counter({
      name: "relaywatch_sfu_relay_pulls_total",
      help: "Relay pulls received from peers, by result (serve, attach, pull, or the refusal)",
      labelNames: ["result"],
      registers,
    });
    this.relaysLost = new Counter({
      name: "relaywatch_sfu_relays_lost_total",
      help: "Relays torn down because their upstream region stayed unreachable (upstreamLostMs), by upstream",
      labelNames: ["upstream"],
      registers,
    });
  }

  /** Installs the node's sampler for the scrape-time gauges. */
  setSampler(sampler: () => MetricsSample): void {
    this.sampler = sampler;
  }

  /** A media worker process died or its replacement came up (mediasoup). */
  mediaWorker(event: "died" | "restarted"): void {
    this.mediaWorkerEventsTotal.inc({ event });
  }

  /** A session ended on its own (sfu/node/session-expiry.ts). */
  sessionExpired(kind: "whip" | "whep", reason: SessionExpiryReason): void {
    this.sessionsExpiredTotal.inc({ kind, reason });
  }

  pipeDrop(reason: PipeDropReason): void {
    this.pipePacketsDroppedTotal.inc({ reason });
  }
}
