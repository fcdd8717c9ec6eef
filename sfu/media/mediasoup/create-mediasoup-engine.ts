// createMediasoupEngine(): loads mediasoup (setup cache or node_modules, see loader.ts),
// starts the worker pool, measures the worker's per-packet extension overhead, and returns
// a MediasoupEngine. If anything fails, every worker it started is gone before it rejects.
import { availableParallelism } from "node:os";
import { RelaywatchError } from "../../../core/errors.js";
import { silentLogger } from "../../../core/logger.js";
import type { MediaEngineEvents } from "../engine.js";
import { TypedEmitter } from "../../../core/events.js";
import { measureExtensionOverhead, type ExtensionOverhead } from "./extension-overhead.js";
import { loadMediasoup } from "./loader.js";
import type { MediasoupModule, MsWorkerSettings } from "./mediasoup-api.js";
import { MediasoupEngine, type MediasoupEngineOptions } from "./mediasoup-engine.js";
import { WorkerPool } from "./worker-pool.js";

export interface CreateMediasoupEngineOptions extends Omit<MediasoupEngineOptions, "mediasoup"> {
  /** An already loaded module; otherwise loadMediasoup() finds one. */
  mediasoup?: MediasoupModule;
  /** An explicit mediasoup package directory to load (e.g. from a CLI flag). */
  modulePath?: string;
}

/** A room name no track id can have (track ids are URL-safe): the start-up measurement's Router. */
const CALIBRATION_ROOM = " calibration";

export async function createMediasoupEngine(options: CreateMediasoupEngineOptions): Promise<MediasoupEngine> {
  const { min, max } = options.rtpPortRange;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min > max) {
    throw new RelaywatchError("invalid_config", `rtpPortRange: got ${min}-${max}, expected 1024 <= min <= max <= 65535`);
  }
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RelaywatchError("invalid_config", `workers: got ${workers}, expected an integer >= 1`);
  const mediasoup = options.mediasoup ?? loadMediasoup(options.modulePath === undefined ? {} : { modulePath: options.modulePath }).module;
  const logger = (options.logger ?? silentLogger).child({ component: "mediasoup-engine" });
  const emitter = new TypedEmitter<MediaEngineEvents>(logger);
  const settings: MsWorkerSettings = {
    logLevel: options.workerLogLevel ?? "warn",
    ...(options.webrtcPortRange === undefined ? {} : { rtcMinPort: options.webrtcPortRange.min, rtcMaxPort: options.webrtcPortRange.max }),
  };
  let engine: MediasoupEngine | null = null;
  const pool = await WorkerPool.create(
    mediasoup,
    workers,
    settings,
    {
      onDied: (death) => engine?.handleWorkerDied(death),
      onRestarted: (info) => {
        emitter.safeEmit("workerRestarted", info);
      },
    },
    logger,
  );
  let overhead: ExtensionOverhead;
  try {
    const lease = await pool.acquireRouter(CALIBRATION_ROOM);
    try {
      overhead = await measureExtensionOverhead(lease.router);
    } finally {
      lease.release();
    }
  } catch (err) {
    await pool.close();
    throw err;
  }
  engine = new MediasoupEngine({ ...options, mediasoup }, { pool, overhead, emitter, logger });
  return engine;
}
