// Helpers of the engine conformance suite: connect real werift client peers to an
// engine, pace UDP sends, and count the process's UDP handles. Test code only.
import { createSocket } from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";
import { WeriftPublisher, WeriftSubscriber, type CodecPreset, type PeerMediaKind } from "../../probes/client/werift-peer.js";
import type { TrackId } from "../../core/region.js";
import type { MediaEngine, PortRange, PublishResult } from "../../sfu/media/engine.js";

/** Something a test opened and must close in its teardown. */
export interface Closeable {
  close(): Promise<void>;
}

export class Teardown {
  private readonly items: Closeable[] = [];

  add<T extends Closeable>(item: T): T {
    this.items.push(item);
    return item;
  }

  async run(): Promise<void> {
    const items = this.items.splice(0).reverse();
    for (const item of items) await item.close();
  }
}

export async function connectPublisher(
  engine: MediaEngine,
  trackId: TrackId,
  codec: CodecPreset,
  teardown: Teardown,
): Promise<{ publisher: WeriftPublisher; result: PublishResult }> {
  const publisher = teardown.add(new WeriftPublisher(codec));
  const result = await engine.publish(trackId, await publisher.createOffer());
  await publisher.acceptAnswer(result.answerSdp);
  await publisher.waitConnected();
  return { publisher, result };
}

export async function connectSubscriber(
  engine: MediaEngine,
  trackId: TrackId,
  kind: PeerMediaKind,
  teardown: Teardown,
): Promise<{ subscriber: WeriftSubscriber; subscriptionId: string }> {
  const subscriber = teardown.add(new WeriftSubscriber(kind));
  const { answerSdp, subscriptionId } = await engine.subscribe(trackId, await subscriber.createOffer());
  await subscriber.acceptAnswer(answerSdp);
  await subscriber.waitConnected();
  // The engine side marks the subscription connected a moment after the client does.
  await waitUntil(() => engine.stats(trackId).subscriptions.find((s) => s.subscriptionId === subscriptionId)?.connected === true, 5_000);
  return { subscriber, subscriptionId };
}

/**
 * First payload byte that makes a video packet parse as a keyframe. SFUs that gate a new
 * consumer on a keyframe (mediasoup forwards VP8/H.264 to a consumer only from one on)
 * would otherwise forward none of these synthetic packets. VP8: payload descriptor X=1
 * (browsers always extend it; mediasoup parses only extended ones), S=1, PID=0; then
 * byte 1 (index bits 16-23, 0 here: no optional fields) and an even frame tag (index
 * bits 8-15, even for the first 256 packets) = key frame. H.264: NAL type 7 (SPS).
 */
export function keyframeLeadByte(mimeType: string): number {
  switch (mimeType.toLowerCase()) {
    case "video/vp8":
      return 0x90;
    case "video/h264":
      return 0x07;
    default:
      return 0;
  }
}

/**
 * Sends `count` packets in bursts of `burst` every `intervalMs`. The payload's first 32
 * bits are a distinct per-packet index (its low 24 bits are the packet number, the top
 * byte keyframeLeadByte()); the rest is filled with the index's low byte.
 */
export async function sendPackets(publisher: WeriftPublisher, count: number, options: { size?: number; burst?: number; intervalMs?: number } = {}): Promise<void> {
  const size = options.size ?? 200;
  const burst = options.burst ?? 5;
  const lead = keyframeLeadByte(publisher.codec.mimeType);
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(size, i & 0xff);
    payload.writeUInt32BE(((lead << 24) | (i & 0xff_ffff)) >>> 0, 0);
    publisher.send(payload);
    if ((i + 1) % burst === 0) await sleep(options.intervalMs ?? 5);
  }
}

export async function waitUntil(predicate: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** UDP sockets currently open in this process (libuv handles). */
export function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
}

/** True when `port` on `address` can be bound right now (i.e. nobody holds it). */
export function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.close(() => {
        resolve(true);
      });
    });
  });
}

const PORT_WINDOW = 40;
/** Random per test process, so parallel test files rarely share windows (bind skips busy ports anyway). */
const PROCESS_WINDOW_OFFSET = Math.floor(Math.random() * 112);

/**
 * Tests' relay port windows live in 15000–19479, a band of their own: below the WAN
 * emulator's proxy range (20000–32000, bound by other test files running in parallel),
 * above the lab world's relay ranges (10000–14999), below Linux's ephemeral ports (32768+).
 * 19480–19999 is left for tests that name single ports.
 */
export const TEST_PORT_WINDOWS = { low: 15_000, size: 4_480 } as const;

/** Per engine instance a distinct window of ports in the tests' band. */
export function portWindow(index: number): PortRange {
  const base = TEST_PORT_WINDOWS.low + (((PROCESS_WINDOW_OFFSET + index) * PORT_WINDOW) % TEST_PORT_WINDOWS.size);
  return { min: base, max: base + PORT_WINDOW - 1 };
}
