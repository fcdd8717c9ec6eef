// One STUN/TURN conversation with one server over UDP, TCP or TLS (RFC 8489 §6.2: over a
// stream, messages follow each other, each 20 header bytes + its length). Requests are
// matched to answers by transaction id; over UDP a request is retransmitted until answered
// or out of time. Used by the allocation probe only; media relaying is werift's.
import { createSocket, type Socket } from "node:dgram";
import { connect as netConnect, isIPv6, type Socket as NetSocket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { parseMessage, type Message } from "werift";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { TurnServer } from "./ice-server.js";
import { wireOf } from "./ice-server.js";

/** 250 ms: RFC 8489's default RTO is 500 ms on the internet; a probe wants an answer within a window. */
const UDP_RETRANSMIT_MS = 250;
const STUN_HEADER_BYTES = 20;

export type WireFailure = { kind: "timeout" } | { kind: "unreachable"; detail: string };

export class StunWire {
  private readonly pending = new Map<string, (m: Message) => void>();
  private failure: WireFailure | null = null;
  private readonly failWaiters = new Set<(f: WireFailure) => void>();
  private udp: Socket | null = null;
  private stream: NetSocket | null = null;
  private buffered = Buffer.alloc(0);
  private closed = false;

  private readonly server: TurnServer;
  private readonly clock: Clock;
  private readonly bindAddress: string;

  constructor(server: TurnServer, clock: Clock, bindAddress: string) {
    this.server = server;
    this.clock = clock;
    this.bindAddress = bindAddress;
  }

  /** Binds (UDP) or connects (TCP, TLS); null once ready, else why not. */
  open(timeoutMs: number): Promise<WireFailure | null> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => { this.fail({ kind: "timeout" }); }, timeoutMs);
      const ready = (): void => {
        timer.cancel();
        this.failWaiters.delete(onFail);
        resolve(null);
      };
      const onFail = (f: WireFailure): void => {
        timer.cancel();
        this.failWaiters.delete(onFail);
        resolve(f);
      };
      this.failWaiters.add(onFail);
      this.connect(ready);
    });
  }

  private connect(ready: () => void): void {
    const wire = wireOf(this.server);
    if (wire === "udp") {
      const udp = createSocket(isIPv6(this.server.host) ? "udp6" : "udp4");
      this.udp = udp;
      udp.on("message", (buf) => { this.onMessage(buf); });
      udp.on("error", (err) => { this.fail({ kind: "unreachable", detail: err.message }); });
      // Connected: an ICMP port-unreachable (no TURN server listening) surfaces as an error.
      udp.once("connect", ready);
      udp.bind(0, this.bindAddress, () => { udp.connect(this.server.port, this.server.host); });
      return;
    }
    const opts = { host: this.server.host, port: this.server.port };
    const stream = wire === "tls" ? tlsConnect({ ...opts, servername: isIPv6(this.server.host) ? undefined : this.server.host }, ready) : netConnect(opts, ready);
    this.stream = stream;
    stream.on("data", (chunk: Buffer) => { this.onChunk(chunk); });
    stream.on("error", (err: Error) => { this.fail({ kind: "unreachable", detail: err.message }); });
    stream.on("close", () => { this.fail({ kind: "unreachable", detail: "connection closed by the server" }); });
  }

  /** Sends `request` and resolves with its answer (success or error response), or a wire failure. */
  request(request: Message, timeoutMs: number): Promise<Message | WireFailure> {
    if (this.failure !== null) return Promise.resolve(this.failure);
    const id = request.transactionIdHex;
    const bytes = request.bytes;
    return new Promise((resolve) => {
      let retransmit: TimerHandle | null = null;
      const done = (v: Message | WireFailure): void => {
        deadline.cancel();
        retransmit?.cancel();
        this.pending.delete(id);
        this.failWaiters.delete(onFail);
        resolve(v);
      };
      const onFail = (f: WireFailure): void => { done(f); };
      const deadline = this.clock.setTimeout(() => { done({ kind: "timeout" }); }, timeoutMs);
      this.pending.set(id, done);
      this.failWaiters.add(onFail);
      this.send(bytes);
      if (this.udp !== null) retransmit = this.clock.setInterval(() => { this.send(bytes); }, UDP_RETRANSMIT_MS);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp?.close();
    this.stream?.destroy();
    this.fail({ kind: "unreachable", detail: "closed" });
  }

  private send(bytes: Buffer): void {
    if (this.closed) return;
    if (this.udp !== null) this.udp.send(bytes);
    else this.stream?.write(bytes);
  }

  private onChunk(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= STUN_HEADER_BYTES) {
      const total = STUN_HEADER_BYTES + this.buffered.readUInt16BE(2);
      if (this.buffered.length < total) return;
      this.onMessage(this.buffered.subarray(0, total));
      this.buffered = this.buffered.subarray(total);
    }
  }

  private onMessage(buf: Buffer): void {
    const m = parseMessage(Buffer.from(buf));
    if (m === undefined) return;
    this.pending.get(m.transactionIdHex)?.(m);
  }

  private fail(f: WireFailure): void {
    if (this.failure !== null) return;
    this.failure = f;
    for (const w of [...this.failWaiters]) w(f);
  }
}
