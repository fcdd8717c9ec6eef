// Options of the mediasoup engine and the parts createMediasoupEngine() builds for it.
import type { Clock } from "../../../core/clock.js";
import type { Logger } from "../../../core/logger.js";
import type { MediaEngineEvents, PortRange } from "../engine.js";
import type { TypedEmitter } from "../../../core/events.js";
import type { ExtensionOverhead } from "./extension-overhead.js";
import type { MediasoupModule, MsWorkerSettings } from "./mediasoup-api.js";
import type { WorkerPool } from "./worker-pool.js";

/** What createMediasoupEngine() builds before the engine exists. */
export interface EngineParts {
  pool: WorkerPool;
  overhead: ExtensionOverhead;
  emitter: TypedEmitter<MediaEngineEvents>;
  logger: Logger;
}

export interface MediasoupEngineOptions {
  /** The loaded mediasoup module (see loader.ts). */
  mediasoup: MediasoupModule;
  /** Relay pipes bind only inside this range (the lab maps it one-to-one). */
  rtpPortRange: PortRange;
  /** Worker ports (WebRtcTransports and loopback pipe legs); mediasoup's default when absent. */
  webrtcPortRange?: PortRange;
  /** The address WHIP/WHEP transports and relay pipes bind to; loopback by default. */
  bindAddress?: string;
  /** Announced in ICE candidates instead of bindAddress (e.g. behind NAT). */
  announcedIp?: string;
  /** Worker processes; default one per core. */
  workers?: number;
  /** How often worker-kept counters are refreshed; 0 = continuously (tests). */
  statsIntervalMs?: number;
  /** A client whose transport received nothing (not even STUN consent) this long is gone. */
  peerTimeoutMs?: number;
  workerLogLevel?: MsWorkerSettings["logLevel"];
  /** Why this engine was chosen (createEngine()); reported in /v1/state. */
  selectionReason?: string;
  logger?: Logger;
  clock?: Clock;
}

/** 1 s: /v1/state and metrics are scraped at this order of period. */
export const DEFAULT_STATS_INTERVAL_MS = 1_000;
/** RFC 7675 consent expiry: 30 s without consent checks and the peer is gone (3.8.4 has no consent timer). */
export const DEFAULT_PEER_TIMEOUT_MS = 30_000;

