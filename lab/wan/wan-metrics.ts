// The emulator's own metrics, on an injected prom-client Registry (never the global one).
// Children are resolved once per link so the per-packet cost is one increment.
import { Counter, Gauge, type Registry } from "prom-client";
import type { DropReason } from "./link-shaper.js";

export type WanProto = "udp" | "tcp";

export interface LinkCounters {
  passed(proto: WanProto, bytes: number): void;
  dropped(proto: WanProto, reason: DropReason): void;
  setState(latencyMs: number, up: boolean): void;
}

export class WanMetrics {
  private readonly packets: Counter<"from" | "to" | "proto">;
  private readonly bytes: Counter<"from" | "to" | "proto">;
  private readonly drops: Counter<"from" | "to" | "proto" | "reason">;
  private readonly latency: Gauge<"from" | "to">;
  private readonly up: Gauge<"from" | "to">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.packets = new Counter({
      name: "relaywatch_wan_packets_total",
      help: "Datagrams (udp) and stream chunks (tcp) delivered across an emulated link",
      labelNames: ["from", "to", "proto"],
      registers,
    });
    this.bytes = new Counter({
      name: "relaywatch_wan_bytes_total",
      help: "Payload bytes delivered across an emulated link",
      labelNames: ["from", "to", "proto"],
      registers,
    });
    this.drops = new Counter({
      name: "relaywatch_wan_dropped_total",
      help: "Datagrams dropped (tcp: chunks discarded by a cut) on an emulated link, by reason",
      labelNames: ["from", "to", "proto", "reason"],
      registers,
    });
    this.latency = new Gauge({
      name: "relaywatch_wan_link_latency_seconds",
      help: "Configured one-way latency of an emulated link",
      labelNames: ["from", "to"],
      registers,
    });
    this.up = new Gauge({
      name: "relaywatch_wan_link_up",
      help: "1 when the emulated link carries traffic, 0 when it is down, partitioned or isolated",
      labelNames: ["from", "to"],
      registers,
    });
  }

  forLink(from: string, to: string): LinkCounters {
    const pk = { udp: this.packets.labels({ from, to, proto: "udp" }), tcp: this.packets.labels({ from, to, proto: "tcp" }) };
    const by = { udp: this.bytes.labels({ from, to, proto: "udp" }), tcp: this.bytes.labels({ from, to, proto: "tcp" }) };
    const drops = this.drops;
    const latency = this.latency.labels({ from, to });
    const up = this.up.labels({ from, to });
    return {
      passed(proto, bytes) {
        pk[proto].inc();
        by[proto].inc(bytes);
      },
      dropped(proto, reason) {
        drops.inc({ from, to, proto, reason });
      },
      setState(latencyMs, isUp) {
        latency.set(latencyMs / 1000);
        up.set(isUp ? 1 : 0);
      },
    };
  }
}
