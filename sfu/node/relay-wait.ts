// A WHEP subscribe waiting for its track's media in this region, and why it may fail;
// signaling maps each code to an HTTP status (unknown_track 404, relay_failed 502,
// relay_timeout 504, closed 503). The wait is registered on the track as demand.
import type { Clock } from "../../core/clock.js";
import type { TrackId } from "../../core/region.js";
import type { TrackState } from "./track-state.js";

export type RelayWaitCode = "unknown_track" | "relay_failed" | "relay_timeout" | "closed";

export class RelayWaitError extends Error {
  override name = "RelayWaitError";
  readonly code: RelayWaitCode;
  constructor(code: RelayWaitCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function toWaitError(err: Error): RelayWaitError {
  return err instanceof RelayWaitError ? err : new RelayWaitError("relay_failed", err.message);
}

/**
 * Registers a media waiter on `t`: settled by the relay manager (resolve when media is
 * known, reject on failure) or by the timeout. `onFailed` runs after a rejection.
 */
export function waitOnTrack(t: TrackState, track: TrackId, timeoutMs: number, clock: Clock, onFailed: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (err: RelayWaitError | null): void => {
      timer.cancel();
      t.mediaWaiters.delete(waiter);
      if (err === null) {
        resolve();
        return;
      }
      reject(err);
      onFailed();
    };
    const waiter = { resolve: () => { settle(null); }, reject: (err: Error) => { settle(toWaitError(err)); } };
    const timer = clock.setTimeout(() => {
      settle(new RelayWaitError("relay_timeout", `no relay of ${track} became ready in ${timeoutMs} ms`));
    }, timeoutMs);
    t.mediaWaiters.add(waiter);
  });
}
