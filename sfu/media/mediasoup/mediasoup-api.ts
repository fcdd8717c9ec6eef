// The subset of mediasoup's Node API this engine uses, typed locally: mediasoup is not a
// dependency of the project (it is loaded at run time from the setup cache or from a
// user's node_modules), so its own .d.ts cannot be imported. Every member here exists,
// with this shape, in both mediasoup 3.8.4 and current 3.x (e.g. `listenIps`, not the
// newer `listenInfos`). Types only: nothing here runs.

export type MsMediaKind = "audio" | "video";

export interface MsRtcpFeedback {
  type: string;
  parameter?: string;
}

export type MsCodecParameters = Record<string, string | number>;

export interface MsRtpCodecCapability {
  kind: MsMediaKind;
  mimeType: string;
  preferredPayloadType?: number;
  clockRate: number;
  channels?: number;
  parameters?: MsCodecParameters;
  rtcpFeedback?: MsRtcpFeedback[];
}

export interface MsRtpHeaderExtension {
  kind: MsMediaKind;
  uri: string;
  preferredId: number;
  direction?: "sendrecv" | "sendonly" | "recvonly" | "inactive";
}

export interface MsRtpCapabilities {
  codecs?: MsRtpCodecCapability[];
  headerExtensions?: MsRtpHeaderExtension[];
}

export interface MsRtpCodecParameters {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: MsCodecParameters;
  rtcpFeedback?: MsRtcpFeedback[];
}

export interface MsRtpEncoding {
  ssrc?: number;
  rtx?: { ssrc: number };
}

export interface MsRtpParameters {
  mid?: string;
  codecs: MsRtpCodecParameters[];
  headerExtensions?: { uri: string; id: number }[];
  encodings?: MsRtpEncoding[];
  rtcp?: { cname?: string; reducedSize?: boolean; mux?: boolean };
}

/** One entry of getStats(): only the counters read here; the rest is ignored. */
export interface MsStats {
  type: string;
  packetCount?: number;
  byteCount?: number;
  bytesReceived?: number;
  iceState?: string;
  dtlsState?: string;
}

export interface MsIceParameters {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
}

export interface MsIceCandidate {
  foundation: string;
  priority: number;
  /** 3.8.4 */
  ip?: string;
  /** current 3.x (which keeps `ip` as a deprecated alias) */
  address?: string;
  protocol: "udp" | "tcp";
  port: number;
  type: "host";
  tcpType?: "passive";
}

export interface MsDtlsFingerprint {
  algorithm: string;
  value: string;
}

export type MsDtlsRole = "auto" | "client" | "server";

export interface MsDtlsParameters {
  role?: MsDtlsRole;
  fingerprints: MsDtlsFingerprint[];
}

export interface MsTransportTuple {
  localIp: string;
  localPort: number;
  /** Once connected (or latched, comedia). */
  remoteIp?: string;
  remotePort?: number;
}

/** The listening half of mediasoup's EnhancedEventEmitter, as used here. */
export interface MsEmitter<E extends Record<string, unknown[]>> {
  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): unknown;
}

export interface MsProducer extends MsEmitter<{ trace: [{ type: string }]; transportclose: [] }> {
  readonly id: string;
  readonly closed: boolean;
  close(): void;
  getStats(): Promise<MsStats[]>;
  enableTraceEvent(types?: string[]): Promise<void>;
}

export interface MsConsumer extends MsEmitter<{ transportclose: []; producerclose: [] }> {
  readonly id: string;
  readonly closed: boolean;
  readonly rtpParameters: MsRtpParameters;
  close(): void;
  getStats(): Promise<MsStats[]>;
}

export interface MsTransport {
  readonly id: string;
  readonly closed: boolean;
  close(): void;
  getStats(): Promise<MsStats[]>;
  produce(options: { kind: MsMediaKind; rtpParameters: MsRtpParameters; paused?: boolean }): Promise<MsProducer>;
  consume(options: { producerId: string; rtpCapabilities: MsRtpCapabilities; paused?: boolean }): Promise<MsConsumer>;
}

export interface MsWebRtcTransport
  extends MsTransport,
    MsEmitter<{ dtlsstatechange: [string]; icestatechange: [string]; routerclose: [] }> {
  readonly iceParameters: MsIceParameters;
  readonly iceCandidates: MsIceCandidate[];
  readonly dtlsParameters: MsDtlsParameters;
  readonly iceState: string;
  readonly dtlsState: string;
  connect(options: { dtlsParameters: MsDtlsParameters }): Promise<void>;
}

export interface MsPlainTransport extends MsTransport, MsEmitter<{ tuple: [MsTransportTuple] }> {
  readonly tuple: MsTransportTuple;
  connect(options: { ip: string; port: number }): Promise<void>;
}

export interface MsListenIp {
  ip: string;
  announcedIp?: string;
}

export interface MsRouter {
  readonly id: string;
  readonly closed: boolean;
  readonly rtpCapabilities: MsRtpCapabilities;
  close(): void;
  canConsume(options: { producerId: string; rtpCapabilities: MsRtpCapabilities }): boolean;
  createWebRtcTransport(options: {
    listenIps: MsListenIp[];
    enableUdp?: boolean;
    enableTcp?: boolean;
    preferUdp?: boolean;
  }): Promise<MsWebRtcTransport>;
  /** `port`: bind exactly this one (3.8.4 and current 3.x); else one of the worker's rtc range. */
  createPlainTransport(options: { listenIp: MsListenIp; port?: number; rtcpMux?: boolean; comedia?: boolean; enableSrtp?: boolean }): Promise<MsPlainTransport>;
}

export interface MsWorker extends MsEmitter<{ died: [Error] }> {
  readonly pid: number;
  readonly closed: boolean;
  close(): void;
  createRouter(options: { mediaCodecs: MsRtpCodecCapability[] }): Promise<MsRouter>;
}

export interface MsWorkerSettings {
  logLevel?: "debug" | "warn" | "error" | "none";
  rtcMinPort?: number;
  rtcMaxPort?: number;
}

/** The module itself (`require("mediasoup")`). */
export interface MediasoupModule {
  readonly version: string;
  createWorker(settings?: MsWorkerSettings): Promise<MsWorker>;
}
