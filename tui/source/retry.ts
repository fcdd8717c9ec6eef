// Reconnect policy for the live source, as data: the delays come from core/backoff.ts
// (exponential, full jitter), so TUIs left open on a restarted analyzer do not all
// reconnect in the same millisecond.
import type { BackoffPolicy } from "../../core/backoff.js";

/**
 * 250 ms first retry: a restarted analyzer is usually back within a second. 5 s cap:
 * on-call must see recovery within seconds, and the cost of a retry is one request.
 */
export const LIVE_RETRY: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };
