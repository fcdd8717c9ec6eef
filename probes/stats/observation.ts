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

/**
 * One line for a failed WHIP/WHEP setup, for logs, errors and a publisher's status (a
 * pair's window is worded by classifyFailure(), which also judges it).
 */
export function describeFailure(f: SetupFailure): string {
  switch (f.kind) {
    case "http": {
      const detail = [f.errorCode, f.detail].filter((s) => s !== null && s !== "").join(": ");
      return `HTTP ${f.status}${f.statusText === "" ? "" : ` ${f.statusText}`} from ${f.endpoint}${detail === "" ? "" : ` (${detail})`}`;
    }
    case "timeout":
      return f.stage === "request" ? `no answer within ${f.afterMs} ms` : `ICE/DTLS not connected within ${f.afterMs} ms`;
    case "setup":
      return `${f.stage}: ${f.detail}`;
  }
}

export type PairObservation =
  | { phase: "failed"; failure: SetupFailure }
  /** Request or ICE/DTLS in progress for `elapsedMs`, no earlier failure on this track. */
  | { phase: "pending"; elapsedMs: number }
  | { phase: "connected"; figures: WindowFigures; connectedForMs: number; totalReceived: number };
