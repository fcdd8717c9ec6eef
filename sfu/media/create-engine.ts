// Picks and builds a MediaEngine by name, for the region node (`relaywatch sfu --engine`).
// "auto" = mediasoup when its worker is available here (see `npm run setup:mediasoup`),
// else the embedded werift engine. Both take the same options; mediasoup-only ones are
// ignored by werift.
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { MediaEngine, PortRange } from "./engine.js";
import { createMediasoupEngine } from "./mediasoup/create-mediasoup-engine.js";
import { mediasoupAvailable } from "./mediasoup/loader.js";
import { WeriftEngine } from "./werift/werift-engine.js";

export const ENGINE_NAMES = ["werift", "mediasoup", "auto"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface CreateEngineOptions {
  /** Relay pipes bind only inside this range. */
  rtpPortRange: PortRange;
  /** WHIP/WHEP (ICE) ports: werift peers, mediasoup workers. */
  webrtcPortRange?: PortRange;
  bindAddress?: string;
  logger?: Logger;
  clock?: Clock;
  /** mediasoup only: worker processes (default one per core). */
  workers?: number;
  /** mediasoup only: an explicit mediasoup package directory. */
  mediasoupPath?: string;
  /** ICE candidates (both engines) announce this address instead of bindAddress: NAT, or a 0.0.0.0 bind. */
  announcedIp?: string;
}

/** The engine that runs, what was asked for, and why (the start-up log line, /v1/state). */
export interface EngineChoice {
  engine: "werift" | "mediasoup";
  requested: EngineName;
  reason: string;
}

/** Which engine "auto" resolves to here, and why. */
export function resolveEngineName(name: EngineName, mediasoupPath?: string): EngineChoice {
  if (name !== "auto") return { engine: name, requested: name, reason: `--engine ${name} chosen explicitly` };
  const found = mediasoupAvailable(mediasoupPath === undefined ? {} : { modulePath: mediasoupPath });
  return found.ok
    ? { engine: "mediasoup", requested: name, reason: `auto: mediasoup ${found.version} worker found at ${found.workerPath}` }
    : { engine: "werift", requested: name, reason: `auto: mediasoup unavailable, embedded werift instead: ${found.reason}` };
}

/**
 * Builds the engine (a name, or a choice already resolved so the caller's plan and the
 * engine agree); "mediasoup" rejects with the reason when its worker is unavailable.
 */
export async function createEngine(name: EngineName | EngineChoice, options: CreateEngineOptions): Promise<MediaEngine> {
  const choice = typeof name === "string" ? resolveEngineName(name, options.mediasoupPath) : name;
  const { engine, reason } = choice;
  options.logger?.info({ engine, requested: choice.requested, reason }, "createEngine() | media engine chosen");
  if (engine === "werift") {
    return new WeriftEngine({
      selectionReason: reason,
      rtpPortRange: options.rtpPortRange,
      ...(options.webrtcPortRange === undefined ? {} : { webrtcPortRange: options.webrtcPortRange }),
      ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
      ...(options.announcedIp === undefined ? {} : { announcedAddress: options.announcedIp }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }
  return createMediasoupEngine({
    selectionReason: reason,
    rtpPortRange: options.rtpPortRange,
    ...(options.webrtcPortRange === undefined ? {} : { webrtcPortRange: options.webrtcPortRange }),
    ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
    ...(options.announcedIp === undefined ? {} : { announcedIp: options.announcedIp }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.mediasoupPath === undefined ? {} : { modulePath: options.mediasoupPath }),
  });
}
