// What a pair's subscription looked like at the end of a window: the input of
// classification. Plain data, produced by the subscription code, consumed by pure functions.
import type { WindowFigures } from "./receiver-stats.js";

export type SetupFailure =
  /** The SFU answered WHEP with a non-201 status. */
  | { kind: "http"; status: number; statusText: string; errorCode: string | null; detail: string | null; retryAfterMs: number | null; endpoint: string }
  /** No answer (`request`) or no ICE/DTLS connection (`connect`) within the limit. */
  | { kind: "timeout"; stage: "request" | "connect"; afterMs: number }
  /** Anything else that stopped the subscription: refused connection, bad answer, failed DTLS. */
  | { kind: "setup"; stage: "network" | "answer" | "connect" | "offer"; detail: string };

export type PairObservation =
  | { phase: "failed"; failure: SetupFailure }
  /** Request or ICE/DTLS in progress for `elapsedMs`, no earlier failure on this track. */
  | { phase: "pending"; elapsedMs: number }
  | { phase: "connected"; figures: WindowFigures; connectedForMs: number; totalReceived: number };
