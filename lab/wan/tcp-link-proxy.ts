// The TCP half of one directed link (HTTP control traffic: heartbeats, relay API,
// announcements): a loopback listener that stands for the target's HTTP port. Bytes from
// the connecting side cross the forward link, bytes back cross the reverse link, both
// delayed as the link says and never reordered.
//
// A cut (either direction down, partitioned or isolated). A real cut leaves the two ends
// retransmitting into silence until a timer or a stateful middlebox gives up; what matters
// to the code under test is that nothing crosses and that a connection made before the cut
// does not quietly carry on. The model, chosen for being deterministic and holding no data:
//  - existing proxied connections are reset on both sides (RST via resetAndDestroy()), as a
//    firewall or NAT that drops its state does; chunks in flight are discarded (counted as
//    dropped, reason "down");
//  - new connections are accepted locally but left unanswered: nothing is read and nothing
//    is connected upstream, as SYNs into a cut go unanswered. When the link comes back they
//    are connected and carried on (SYN retransmission succeeding); a connection still held
//    after SYN_GIVE_UP_MS is reset. Clients with timeouts see exactly what they would see.
// Not modelled: the handshake round trip (the first request pays one RTT, not two).
import { createServer, connect, type Server, type Socket } from "node:net";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { DeliveryScheduler } from "./delivery-scheduler.js";
import type { WanLink } from "./wan-link.js";
import { newOrderState, type OrderState } from "./link-shaper.js";
import { LOOPBACK_HOST } from "./topology.js";

/** 127 s: Linux gives up a connect after tcp_syn_retries = 6 (1+2+4+…+64 s). */
export const SYN_GIVE_UP_MS = 127_000;

/** 1 MiB queued in the emulator per direction before it stops reading the sender. */
export const TCP_HIGH_WATER_BYTES = 1 << 20;

export interface TcpProxyDeps {
  clock: Clock;
  scheduler: DeliveryScheduler;
  logger: Logger;
}

interface Held {
  socket: Socket;
  timer: TimerHandle;
}

export class TcpLinkProxy {
  private readonly live = new Set<ProxiedConnection>();
  private readonly held = new Set<Held>();
  private closed = false;

  private readonly server: Server;
  readonly forward: WanLink;
  readonly backward: WanLink;
  private readonly targetPort: number;
  private readonly deps: TcpProxyDeps;

  private constructor(server: Server, forward: WanLink, backward: WanLink, targetPort: number, deps: TcpProxyDeps) {
    this.server = server;
    this.forward = forward;
    this.backward = backward;
    this.targetPort = targetPort;
    this.deps = deps;
    server.on("connection", (socket) => {
      this.onConnection(socket);
    });
  }

  static async listen(forward: WanLink, backward: WanLink, targetPort: number, deps: TcpProxyDeps): Promise<TcpLinkProxy> {
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: 0, host: LOOPBACK_HOST }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new TcpLinkProxy(server, forward, backward, targetPort, deps);
  }

  get port(): number {
    const a = this.server.address();
    return a !== null && typeof a === "object" ? a.port : 0;
  }

  get address(): string {
    const a = this.server.address();
    return a !== null && typeof a === "object" ? a.address : "";
  }

  get connections(): { live: number; held: number } {
    return { live: this.live.size, held: this.held.size };
  }

  private get cut(): boolean {
    return this.forward.effectiveDown || this.backward.effectiveDown;
  }

  /** Called by the emulator whenever either direction's effectiveDown changes. */
  linkStateChanged(): void {
    if (this.closed) return;
    if (this.cut) {
      for (const c of [...this.live]) c.reset("down");
      return;
    }
    for (const h of [...this.held]) {
      this.held.delete(h);
      h.timer.cancel();
      if (!h.socket.destroyed) this.carry(h.socket);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.live]) c.reset(null);
    for (const h of this.held) {
      h.timer.cancel();
      resetQuietly(h.socket);
    }
    this.held.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private onConnection(socket: Socket): void {
    socket.on("error", () => {
      /* a reset client; the owner (held or live) cleans up on close */
    });
    if (this.closed) {
      resetQuietly(socket);
      return;
    }
    if (!this.cut) {
      this.carry(socket);
      return;
    }
    socket.pause();
    const h: Held = {
      socket,
      timer: this.deps.clock.setTimeout(() => {
        this.held.delete(h);
        resetQuietly(socket);
      }, SYN_GIVE_UP_MS),
    };
    this.held.add(h);
    socket.once("close", () => {
      if (this.held.delete(h)) h.timer.cancel();
    });
  }

  private carry(client: Socket): void {
    const upstream = connect({ host: LOOPBACK_HOST, port: this.targetPort, allowHalfOpen: true, noDelay: true });
    const c = new ProxiedConnection(client, upstream, this.forward, this.backward, this.deps, () => {
      this.live.delete(c);
    });
    this.live.add(c);
  }
}

/** One client↔target connection; each direction is an ordered, delayed pipe. */
class ProxiedConnection {
  private done = false;
  private readonly inFlight = new Map<WanLink, number>();
  private readonly client: Socket;
  private readonly upstream: Socket;
  private readonly deps: TcpProxyDeps;
  private readonly onDone: () => void;

  constructor(client: Socket, upstream: Socket, forward: WanLink, backward: WanLink, deps: TcpProxyDeps, onDone: () => void) {
    this.client = client;
    this.upstream = upstream;
    this.deps = deps;
    this.onDone = onDone;
    upstream.on("error", () => {
      // refused or reset by the target: the client sees a reset, as it would end to end
      this.reset(null);
    });
    client.on("error", () => {
      this.reset(null);
    });
    client.on("close", () => {
      this.finishIfClosed();
    });
    upstream.on("close", () => {
      this.finishIfClosed();
    });
    this.pipe(client, upstream, forward, newOrderState());
    this.pipe(upstream, client, backward, newOrderState());
    client.resume();
  }

  /** Resets both ends; `reason` counts chunks still in flight as dropped. */
  reset(reason: "down" | null): void {
    if (this.done) return;
    this.done = true;
    if (reason !== null) {
      for (const [link, chunks] of this.inFlight) for (let i = 0; i < chunks; i++) link.counters.dropped("tcp", reason);
    }
    resetQuietly(this.client);
    resetQuietly(this.upstream);
    this.onDone();
  }

  private finishIfClosed(): void {
    if (this.done || !this.client.destroyed || !this.upstream.destroyed) return;
    this.done = true;
    this.onDone();
  }

  private pipe(src: Socket, dst: Socket, link: WanLink, order: OrderState): void {
    let queuedBytes = 0;
    const { clock, scheduler } = this.deps;
    const settle = (): void => {
      const full = queuedBytes > TCP_HIGH_WATER_BYTES || dst.writableNeedDrain;
      if (full && !src.isPaused()) src.pause();
      else if (!full && src.isPaused() && queuedBytes < TCP_HIGH_WATER_BYTES / 2) src.resume();
    };
    dst.on("drain", settle);
    src.on("data", (chunk: Buffer) => {
      if (this.done) return;
      const at = link.shapeStreamChunk(order, clock.now(), chunk.length);
      queuedBytes += chunk.length;
      this.inFlight.set(link, (this.inFlight.get(link) ?? 0) + 1);
      settle();
      scheduler.schedule(at, () => {
        if (this.done) return;
        this.inFlight.set(link, (this.inFlight.get(link) ?? 1) - 1);
        queuedBytes -= chunk.length;
        if (!dst.destroyed) dst.write(chunk);
        link.counters.passed("tcp", chunk.length);
        settle();
      });
    });
    src.on("end", () => {
      if (this.done) return;
      // The FIN travels behind the data it follows.
      scheduler.schedule(Math.max(order.lastReleaseAt, clock.now()), () => {
        if (!this.done && !dst.destroyed) dst.end();
      });
    });
  }
}

function resetQuietly(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
