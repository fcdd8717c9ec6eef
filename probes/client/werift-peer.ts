// WHIP/WHEP client peers on werift, SDP in and SDP out (no HTTP here): a publisher that
// sends RTP with caller-chosen payloads and a subscriber that hands every received packet
// to the caller. Used by the probe agent and by tests of any SFU. Non-trickle: the offer
// is returned only once ICE gathering is complete. ICE binds to exactly one address
// (loopback unless told otherwise) — never every interface of the machine.
import { randomInt } from "node:crypto";
import { isIPv6 } from "node:net";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useNACK,
  usePLI,
  type RTCPeerConnectionConfig,
} from "werift";
import { systemClock, type Clock } from "../../core/clock.js";
import { InvalidStateError, RelaywatchError } from "../../core/errors.js";
import { useKeyObjectsForSrtp } from "../../core/werift-srtp-keys.js";

export type PeerMediaKind = "audio" | "video";

export interface CodecPreset {
  kind: PeerMediaKind;
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: string;
}

/** The codecs relaywatch SFUs forward (DESIGN: Opus, VP8, H.264). */
export const CODEC_PRESETS = {
  opus: { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
  vp8: { kind: "video", mimeType: "video/VP8", clockRate: 90_000 },
  h264: {
    kind: "video",
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
  },
} as const satisfies Record<string, CodecPreset>;

/**
 * How a publisher hands packets to werift. `track`: MediaStreamTrack.writeRtp(), werift's
 * general path (its sender clones the packet, rewrites sequence numbers and extensions,
 * keeps a retransmission cache, several promises per packet). `direct`: straight to the
 * DTLS transport's SRTP (one header object reused; same bytes on the wire, as no header
 * extensions are negotiated for these peers). The probe bench measures both.
 */
export type SendPath = "track" | "direct";

export interface PeerOptions {
  /** The one local address ICE binds to and announces. */
  bindAddress?: string;
  /** Publisher only (default `track`); see SendPath. */
  sendPath?: SendPath;
  /** Gathering on one address takes milliseconds; this bounds a stuck stack. */
  gatherTimeoutMs?: number;
  clock?: Clock;
  /** TURN servers (probes/turn/); none by default: host candidates only. */
  iceServers?: readonly { urls: string; username?: string; credential?: string }[];
  /** `relay`: only relay candidates (media through the TURN server, end to end). */
  iceTransportPolicy?: "all" | "relay";
}

const DEFAULT_BIND_ADDRESS = "127.0.0.1";

// Every probe peer encrypts SRTP with KeyObjects: on Node 24 werift's per-packet Buffer keys
// spent a quarter of a probe's CPU in errors thrown inside node:crypto (core/werift-srtp-keys.ts).
useKeyObjectsForSrtp();
const DEFAULT_GATHER_TIMEOUT_MS = 5_000;

function peerConfig(codecs: readonly CodecPreset[], options: PeerOptions): RTCPeerConnectionConfig {
  const bindAddress = options.bindAddress ?? DEFAULT_BIND_ADDRESS;
  const toWerift = (c: CodecPreset): RTCRtpCodecParameters =>
    new RTCRtpCodecParameters({
      mimeType: c.mimeType,
      clockRate: c.clockRate,
      ...(c.channels === undefined ? {} : { channels: c.channels }),
      ...(c.parameters === undefined ? {} : { parameters: c.parameters }),
      rtcpFeedback: c.kind === "video" ? [useNACK(), usePLI()] : [],
    });
  return {
    codecs: {
      audio: codecs.filter((c) => c.kind === "audio").map(toWerift),
      video: codecs.filter((c) => c.kind === "video").map(toWerift),
    },
    iceServers: (options.iceServers ?? []).map((s) => ({ ...s })),
    iceTransportPolicy: options.iceTransportPolicy ?? "all",
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [bindAddress],
    iceInterfaceAddresses: isIPv6(bindAddress) ? { udp6: bindAddress } : { udp4: bindAddress },
    iceUseTcp: false,
  };
}

/** The shared half of publisher and subscriber: one peer connection, one m-section. */
abstract class WeriftPeer {
  protected readonly pc: RTCPeerConnection;
  protected readonly clock: Clock;
  private readonly gatherTimeoutMs: number;
  private closedFlag = false;
  /** Aborted by close(): rejects every wait in flight. */
  private readonly closer = new AbortController();

  protected constructor(pc: RTCPeerConnection, options: PeerOptions) {
    this.pc = pc;
    this.clock = options.clock ?? systemClock;
    this.gatherTimeoutMs = options.gatherTimeoutMs ?? DEFAULT_GATHER_TIMEOUT_MS;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  /** Creates the offer and waits for ICE gathering: the result holds every candidate. */
  async createOffer(): Promise<string> {
    this.assertOpen("createOffer");
    await this.pc.setLocalDescription(await this.pc.createOffer());
    if (this.pc.iceGatheringState !== "complete") {
      await this.waitFor(this.pc.iceGatheringStateChange, (s) => s === "complete", this.gatherTimeoutMs, "ICE gathering");
    }
    const sdp = this.pc.localDescription?.sdp;
    if (sdp === undefined) throw new InvalidStateError("createOffer(): no local description");
    return sdp;
  }

  /** Answers a server's offer (servers that offer first, e.g. a Janus VideoRoom subscribe); the answer holds every candidate. */
  async answerOffer(offerSdp: string): Promise<string> {
    this.assertOpen("answerOffer");
    await this.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    if (this.pc.iceGatheringState !== "complete") {
      await this.waitFor(this.pc.iceGatheringStateChange, (s) => s === "complete", this.gatherTimeoutMs, "ICE gathering");
    }
    const sdp = this.pc.localDescription?.sdp;
    if (sdp === undefined) throw new InvalidStateError("answerOffer(): no local description");
    return sdp;
  }

  /** Applies the SFU's answer (201 body of WHIP/WHEP). */
  async acceptAnswer(answerSdp: string): Promise<void> {
    this.assertOpen("acceptAnswer");
    await this.pc.setRemoteDescription({ type: "answer", sdp: answerSdp });
  }

  /** Resolves once ICE and DTLS are up; rejects on failure or after `timeoutMs`. */
  async waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.pc.connectionState === "connected") return;
    await this.waitFor(this.pc.connectionStateChange, (s) => s === "connected", timeoutMs, "connection", (s) => s === "failed" || s === "closed");
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    // Ends every wait in flight (ICE gathering, connection): a peer closed while it gathers
    // must not hold its caller for the whole gather timeout.
    this.closer.abort();
    await this.pc.close();
  }

  protected assertOpen(method: string): void {
    if (this.closedFlag) throw new InvalidStateError(`${method}(): peer closed`);
  }

  private waitFor<T>(
    event: { subscribe(fn: (v: T) => void): { unSubscribe(): void } },
    done: (v: T) => boolean,
    timeoutMs: number,
    what: string,
    failed: (v: T) => boolean = () => false,
  ): Promise<void> {
    if (this.closer.signal.aborted) return Promise.reject(new InvalidStateError(`${what}: peer closed`));
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        timer.cancel();
        sub.unSubscribe();
        this.closer.signal.removeEventListener("abort", onClose);
      };
      const onClose = (): void => {
        finish();
        reject(new InvalidStateError(`${what}: peer closed`));
      };
      const timer = this.clock.setTimeout(() => {
        finish();
        reject(new RelaywatchError("timeout", `${what} not complete after ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = event.subscribe((v) => {
        if (!done(v) && !failed(v)) return;
        finish();
        if (done(v)) resolve();
        else reject(new RelaywatchError("timeout", `${what} ended in state ${String(v)}`));
      });
      this.closer.signal.addEventListener("abort", onClose, { once: true });
    });
  }
}

export interface SendOptions {
  marker?: boolean;
  /** RTP timestamp; by default derived from the clock at the codec's clock rate. */
  timestamp?: number;
}

/** A WHIP-style publisher: sendonly, one codec, RTP with the caller's payloads. */
export class WeriftPublisher extends WeriftPeer {
  readonly codec: CodecPreset;
  private readonly track: MediaStreamTrack;
  private sequenceNumber = randomInt(0, 0x1_0000);
  private readonly timestampBase = randomInt(0, 0x1_0000_0000);
  private readonly startedAtMs: number;
  private readonly sendPath: SendPath;
  /** The direct path's one header, rewritten per packet (sendRtp serialises it synchronously). */
  private readonly header = new RtpHeader();
  packetsSent = 0;

  constructor(codec: CodecPreset, options: PeerOptions = {}) {
    super(new RTCPeerConnection(peerConfig([codec], options)), options);
    this.codec = codec;
    this.track = new MediaStreamTrack({ kind: codec.kind });
    this.pc.addTransceiver(this.track, { direction: "sendonly" });
    this.startedAtMs = this.clock.now();
    this.sendPath = options.sendPath ?? "track";
  }

  /** The SSRC announced in the offer; the SFU sees packets with it. */
  get ssrc(): number {
    return this.pc.getTransceivers()[0]?.sender.ssrc ?? 0;
  }

  /**
   * Sends one RTP packet; silently dropped (like any RTP) until connected. The payload is
   * encrypted before this returns on the direct path, so the caller may reuse its buffer;
   * on the track path werift keeps it (its retransmission cache).
   */
  send(payload: Uint8Array, options: SendOptions = {}): void {
    this.assertOpen("send");
    const elapsed = this.clock.now() - this.startedAtMs;
    const timestamp = options.timestamp ?? (this.timestampBase + Math.floor((elapsed * this.codec.clockRate) / 1000)) >>> 0;
    const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (this.sendPath === "direct") {
      if (!this.sendDirect(body, timestamp, options.marker ?? true)) return;
    } else {
      const header = new RtpHeader({ sequenceNumber: this.sequenceNumber, timestamp, marker: options.marker ?? true });
      this.track.writeRtp(new RtpPacket(header, body));
    }
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.packetsSent++;
  }

  /** The direct path: false (nothing sent, sequence unchanged) until DTLS is up and a codec agreed. */
  private sendDirect(body: Buffer, timestamp: number, marker: boolean): boolean {
    const sender = this.pc.getTransceivers()[0]?.sender;
    const codec = sender?.codec;
    if (sender === undefined || codec === undefined || sender.dtlsTransport.state !== "connected") return false;
    const h = this.header;
    h.ssrc = sender.ssrc;
    h.payloadType = codec.payloadType;
    h.sequenceNumber = this.sequenceNumber;
    h.timestamp = timestamp;
    h.marker = marker;
    void sender.dtlsTransport.sendRtp(body, h);
    return true;
  }

  override async close(): Promise<void> {
    this.track.stop();
    await super.close();
  }
}

export interface ReceivedRtp {
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payloadType: number;
  marker: boolean;
  payload: Buffer;
  receivedAtMs: number;
}

/** A WHEP-style subscriber: recvonly for one kind, offering every codec of that kind. */
export class WeriftSubscriber extends WeriftPeer {
  readonly kind: PeerMediaKind;
  packetsReceived = 0;
  private readonly listeners = new Set<(packet: ReceivedRtp) => void>();
  private readonly waiters = new Set<() => void>();

  constructor(kind: PeerMediaKind, options: PeerOptions & { codecs?: readonly CodecPreset[] } = {}) {
    const codecs = options.codecs ?? Object.values(CODEC_PRESETS).filter((c) => c.kind === kind);
    super(new RTCPeerConnection(peerConfig(codecs, options)), options);
    this.kind = kind;
    this.pc.addTransceiver(kind, { direction: "recvonly" });
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        this.receive(rtp);
      });
    });
  }

  /** Calls `listener` for every packet; returns the unsubscribe function. */
  onPacket(listener: (packet: ReceivedRtp) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once `count` packets have arrived in total; rejects after `timeoutMs`. */
  waitForPackets(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.packetsReceived >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.packetsReceived < count) return;
        timer.cancel();
        this.waiters.delete(check);
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(check);
        reject(new RelaywatchError("timeout", `${this.packetsReceived} of ${count} packets after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private receive(rtp: RtpPacket): void {
    this.packetsReceived++;
    if (this.listeners.size > 0) {
      const h = rtp.header;
      const packet: ReceivedRtp = {
        sequenceNumber: h.sequenceNumber,
        timestamp: h.timestamp,
        ssrc: h.ssrc,
        payloadType: h.payloadType,
        marker: h.marker,
        payload: rtp.payload,
        receivedAtMs: this.clock.now(),
      };
      for (const listener of this.listeners) {
        try {
          listener(packet);
        } catch {
          // The caller's bug must not stop the other listeners or werift's receive path.
        }
      }
    }
    if (this.waiters.size > 0) for (const waiter of [...this.waiters]) waiter();
  }
}
