// Reconnect policy for the live source: exponential backoff, capped. Pure.

/** 250 ms: a restarted analyzer is usually back within a second; retry fast at first. */
export const RETRY_INITIAL_MS = 250;
/** 5 s: on-call must see recovery within seconds, and the cost of a retry is one request. */
export const RETRY_MAX_MS = 5_000;

/** Delay before retry number `attempt` (1-based). */
export function retryDelay(attempt: number, initialMs = RETRY_INITIAL_MS, maxMs = RETRY_MAX_MS): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
}
