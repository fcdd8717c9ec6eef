// The UDP half of one directed link: a proxy port per relay port of the target endpoint.
// A datagram from a port inside the sender's own relay range leaves through the reverse
// link's proxy port for that source port, so the receiver sees the very address it was
// configured to send to (symmetric mapping, what a pipe transport checks). A datagram from
// any other port is NATed through the proxy port it arrived on, and the target's replies to
// that port are sent back over the reverse link.
import type { Socket, RemoteInfo } from "node:dgram";
import type { Logger } from "../../core/logger.js";
import type { Clock } from "../../core/clock.js";
import type { DeliveryScheduler } from "./delivery-scheduler.js";
import type { WanLink } from "./wan-link.js";
import { closeQuietly, type BoundUdpRange } from "./port-range.js";
import { LOOPBACK_HOST, type PortRange } from "./topology.js";

export interface UdpProxyDeps {
  clock: Clock;
  scheduler: DeliveryScheduler;
  logger: Logger;
}

export class UdpLinkProxy {
  /** The proxy for the opposite direction, set when the sender has a relay range. */
  reverse: UdpLinkProxy | null = null;
  private readonly natClients: Array<number | undefined>;
  private closed = false;
  readonly forward: WanLink;
  readonly backward: WanLink;
  private readonly senderRange: PortRange | null;
  private readonly targetRange: PortRange;
  private readonly bound: BoundUdpRange;
  private readonly deps: UdpProxyDeps;

  constructor(forward: WanLink, backward: WanLink, senderRange: PortRange | null, targetRange: PortRange, bound: BoundUdpRange, deps: UdpProxyDeps) {
    this.forward = forward;
    this.backward = backward;
    this.senderRange = senderRange;
    this.targetRange = targetRange;
    this.bound = bound;
    this.deps = deps;
    this.natClients = new Array<number | undefined>(bound.sockets.length);
    bound.sockets.forEach((socket, index) => {
      socket.on("message", (msg, rinfo) => {
        this.onMessage(index, msg, rinfo);
      });
      socket.on("error", (err) => {
        deps.logger.debug({ link: `${forward.from}>${forward.to}`, port: bound.base + index, err: err.message }, "udp proxy | socket error");
      });
    });
  }

  get base(): number {
    return this.bound.base;
  }

  get sockets(): readonly Socket[] {
    return this.bound.sockets;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.bound.sockets.map(closeQuietly));
  }

  private onMessage(index: number, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed || rinfo.address !== LOOPBACK_HOST) return;
    const targetPort = this.targetRange.min + index;
    const self = this.bound.sockets[index];
    if (self === undefined) return;
    const natClient = this.natClients[index];
    if (rinfo.port === targetPort && natClient !== undefined) {
      this.send(this.backward, msg, self, natClient);
      return;
    }
    const s = this.senderRange;
    const via = s !== null && rinfo.port >= s.min && rinfo.port <= s.max ? this.reverse?.bound.sockets[rinfo.port - s.min] : undefined;
    if (via !== undefined) {
      this.send(this.forward, msg, via, targetPort);
      return;
    }
    this.natClients[index] = rinfo.port;
    this.send(this.forward, msg, self, targetPort);
  }

  private send(link: WanLink, msg: Buffer, via: Socket, port: number): void {
    const verdict = link.shapeDatagram(this.deps.clock.now(), msg.length);
    if ("dropped" in verdict) {
      link.counters.dropped("udp", verdict.dropped);
      return;
    }
    const { scheduler, clock } = this.deps;
    if (verdict.deliverAt <= clock.now() && scheduler.pending === 0) {
      // 0 ms and nothing queued: the hot path, without a closure or a heap.
      this.deliver(link, msg, via, port);
      return;
    }
    scheduler.schedule(verdict.deliverAt, () => {
      this.deliver(link, msg, via, port);
    });
  }

  private deliver(link: WanLink, msg: Buffer, via: Socket, port: number): void {
    if (this.closed) return;
    // A cut loses what was in flight on the wire, not only what is sent after it.
    if (link.effectiveDown) {
      link.counters.dropped("udp", "down");
      return;
    }
    try {
      via.send(msg, port, LOOPBACK_HOST);
    } catch {
      return; // the other direction's socket closed under us during close()
    }
    link.counters.passed("udp", msg.length);
  }
}
