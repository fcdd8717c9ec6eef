// A child-process load client for the engine bench: one werift publisher or one werift
// subscriber, driven over IPC, so the engine's process measures only its own CPU.
// Run with `node --import tsx load-client.ts publisher|subscriber` via child_process.fork.
import { setTimeout as sleep } from "node:timers/promises";
import { CODEC_PRESETS, WeriftPublisher, WeriftSubscriber } from "../../probes/client/werift-peer.js";
import { keyframeLeadByte } from "../conformance/engine-helpers.js";

export type LoadRequest =
  | { type: "answer"; sdp: string }
  | { type: "send"; pps: number; durationMs: number; size: number }
  | { type: "count" }
  | { type: "close" };

export type LoadReply =
  | { type: "offer"; sdp: string }
  | { type: "ready" }
  | { type: "sent"; sent: number; cpuMs: number }
  /** `received` counts distinct sequence numbers since the last count (NACK resends once). */
  | { type: "count"; received: number; cpuMs: number }
  | { type: "error"; message: string };

/** Pacing tick: 5 ms keeps bursts small (pps/200 packets) without timer overhead dominating. */
const TICK_MS = 5;

function isRequest(m: unknown): m is LoadRequest {
  return typeof m === "object" && m !== null && "type" in m && typeof m.type === "string";
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function reply(r: LoadReply): void {
  process.send?.(r);
}

async function paceSend(publisher: WeriftPublisher, pps: number, durationMs: number, size: number): Promise<number> {
  const payload = Buffer.alloc(size, 0x5a);
  // Index in the low 24 bits; the top byte makes packets parse as VP8 key frames, since an
  // SFU that gates new consumers on a key frame (mediasoup) would forward nothing else.
  const lead = keyframeLeadByte(publisher.codec.mimeType) << 24;
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    const due = Math.floor((elapsed * pps) / 1000);
    while (sent < due) {
      payload.writeUInt32BE((lead | (sent & 0xff_ffff)) >>> 0, 0);
      publisher.send(payload);
      sent++;
    }
    await sleep(TICK_MS);
  }
  return sent;
}

async function main(role: string): Promise<void> {
  const peer = role === "publisher" ? new WeriftPublisher(CODEC_PRESETS.vp8) : new WeriftSubscriber("video");
  const seen = new Set<number>();
  if (peer instanceof WeriftSubscriber) peer.onPacket((p) => seen.add(p.sequenceNumber));
  process.on("message", (m: unknown) => {
    if (!isRequest(m)) return;
    void handle(m).catch((err: unknown) => {
      reply({ type: "error", message: err instanceof Error ? err.message : String(err) });
    });
  });
  async function handle(m: LoadRequest): Promise<void> {
    switch (m.type) {
      case "answer":
        await peer.acceptAnswer(m.sdp);
        await peer.waitConnected();
        reply({ type: "ready" });
        return;
      case "send":
        if (!(peer instanceof WeriftPublisher)) throw new Error("send: not a publisher");
        reply({ type: "sent", sent: await paceSend(peer, m.pps, m.durationMs, m.size), cpuMs: cpuMs() });
        return;
      case "count":
        reply({ type: "count", received: seen.size, cpuMs: cpuMs() });
        seen.clear();
        return;
      case "close":
        await peer.close();
        process.disconnect();
        return;
    }
  }
  reply({ type: "offer", sdp: await peer.createOffer() });
}

const role = process.argv[2];
if (process.send !== undefined && (role === "publisher" || role === "subscriber")) await main(role);
