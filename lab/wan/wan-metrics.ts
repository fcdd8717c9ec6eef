// The emulator's own metrics, on an injected prom-client Registry (never the global one).
// The per-packet path only adds to plain numbers; they are pushed into the counters when
// the registry is collected (prom-client's inc() hashes and validates labels on every call,
// which would be the most expensive thing the emulator does per packet).
import { Counter, Gauge, type Registry } from "prom-client";
import type { DropReason } from "./link-shaper.js";

export type WanProto = "udp" | "tcp";

export interface LinkCounters {
  passed(proto: WanProto, bytes: number): void;
  dropped(proto: WanProto, reason: DropReason): void;
  setState(latencyMs: number, up: boolean): void;
}

interface Tally {
  from: string;
  to: string;
  packets: Record<WanProto, number>;
  bytes: Record<WanProto, number>;
  drops: Map<string, number>;
}

export class WanMetrics {
  private readonly tallies: Tally[] = [];
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
      collect: () => {
        this.flush();
      },
    });
    this.bytes = new Counter({
      name: "relaywatch_wan_bytes_total",
      help: "Payload bytes delivered across an emulated link",
      labelNames: ["from", "to", "proto"],
      registers,
      collect: () => {
        this.flush();
      },
    });
    this.drops = new Counter({
      name: "relaywatch_wan_dropped_total",
      help: "Datagrams dropped (tcp: chunks discarded by a cut) on an emulated link, by reason",
      labelNames: ["from", "to", "proto", "reason"],
      registers,
      collect: () => {
        this.flush();
      },
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
    const t: Tally = { from, to, packets: { udp: 0, tcp: 0 }, bytes: { udp: 0, tcp: 0 }, drops: new Map() };
    this.tallies.push(t);
    // Zero-valued series exist from the start, so rate() and absent() behave from the first scrape.
    for (const proto of ["udp", "tcp"] as const) {
      this.packets.inc({ from, to, proto }, 0);
      this.bytes.inc({ from, to, proto }, 0);
    }
    const latency = this.latency.labels({ from, to });
    const up = this.up.labels({ from, to });
    return {
      passed(proto, bytes) {
        t.packets[proto]++;
        t.bytes[proto] += bytes;
      },
      dropped(proto, reason) {
        const key = `${proto}|${reason}`;
        t.drops.set(key, (t.drops.get(key) ?? 0) + 1);
      },
      setState(latencyMs, isUp) {
        latency.set(latencyMs / 1000);
        up.set(isUp ? 1 : 0);
      },
    };
  }

  /** Moves the per-packet tallies into the prom-client counters. */
  private flush(): void {
    for (const t of this.tallies) {
      const { from, to } = t;
      for (const proto of ["udp", "tcp"] as const) {
        if (t.packets[proto] > 0) this.packets.inc({ from, to, proto }, t.packets[proto]);
        if (t.bytes[proto] > 0) this.bytes.inc({ from, to, proto }, t.bytes[proto]);
        t.packets[proto] = 0;
        t.bytes[proto] = 0;
      }
      for (const [key, n] of t.drops) {
        const [proto = "udp", reason = "loss"] = key.split("|");
        this.drops.inc({ from, to, proto, reason }, n);
      }
      t.drops.clear();
    }
  }
}
