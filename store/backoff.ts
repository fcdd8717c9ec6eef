// Retry delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff
// And Jitter"), so many writers recovering together do not stampede the store.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** 250 ms first retry: a blip is retried promptly. 10 s cap: an outage is probed at least every 10 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** Delay before retry number `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(policy.baseMs / 2, Math.floor(ceiling * random));
}
