// A WHEP subscribe waiting for its track's media in this region, and why it may fail;
// signaling maps each code to an HTTP status (unknown_track 404, relay_failed 502,
// relay_timeout 504, closed 503). The wait itself is relay-manager.ts's (demand in the relay machine).

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
