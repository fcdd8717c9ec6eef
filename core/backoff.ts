// Retry delays, written once: exponential with full jitter (AWS Architecture Blog,
// "Exponential Backoff And Jitter", 2015), so many clients recovering together — writers
// replaying into the store, probe agents into the ingest, watchers and TUIs reconnecting
// to a restarted process — do not stampede it. Pure: the random draw is passed in.

export interface BackoffPolicy {
  /** The first retry's ceiling; every delay is at least half of it. */
  baseMs: number;
  /** The cap on every delay: how long an outage can go unprobed at worst. */
  maxMs: number;
}

/** 250 ms first retry: a blip is retried promptly. 10 s cap: an outage is probed at least every 10 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/**
 * Delay before retry number `attempt` (0-based): uniform below min(maxMs, baseMs·2^attempt),
 * never under baseMs/2 (so a run of low draws cannot turn into a busy loop). `random` in [0, 1).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.max(policy.baseMs / 2, Math.floor(ceiling * random));
}
