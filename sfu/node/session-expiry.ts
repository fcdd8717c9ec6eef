// When a WHIP/WHEP session has to end on its own: it never connected, or its media stopped.
// A pure state machine over observations, time passed in. It never closes anything and
// never sets a timer: the session table feeds it one observation per session per sweep
// and ends what it says has expired.
//
//   initialSessionState(now) → SessionState
//   observeSession(state, observation, now, limits) → { state, expired: reason | null }
//
// "Connected" is what the engine can tell: a WHIP session once the first packet of its
// track arrived (a publisher that completed ICE + DTLS but sends nothing is of no use to a
// subscriber either), a WHEP session once ICE + DTLS are up. "Alive" after that: a WHIP
// track whose packets keep coming, a WHEP session whose transport stays connected.

/**
 * 15 s: non-trickle ICE on a WHIP/WHEP answer completes in well under a second on any
 * real path, and browsers give up on a pair after ~10 s of failed checks (RFC 8445 §14.3's
 * Ta × Rc budget, Chrome's 10 s ICE timeout): a session not up by then never will be.
 * The issue 13 default.
 */
export const DEFAULT_SESSION_CONNECT_TIMEOUT_MS = 15_000;

/**
 * 30 s: RFC 7675 (ICE consent freshness) declares a peer gone after 30 s without consent;
 * a muted publisher still sends (Opus DTX ~every 400 ms, video keeps its frame rate), so a
 * track silent that long has no live publisher behind it.
 */
export const DEFAULT_SESSION_MEDIA_TIMEOUT_MS = 30_000;

/**
 * 1 s between sweeps: the timeouts are tens of seconds, so a session ends at most ~1 s late;
 * a sweep reads engine counters only (no I/O), cheap for thousands of sessions.
 */
export const SESSION_SWEEP_INTERVAL_MS = 1_000;

export const SESSION_EXPIRY_REASONS = ["not_connected", "media_stopped"] as const;
export type SessionExpiryReason = (typeof SESSION_EXPIRY_REASONS)[number];

export interface SessionLimits {
  connectTimeoutMs: number;
  mediaTimeoutMs: number;
}

export interface SessionState {
  startedAtMs: number;
  /** When the session was last seen connected with media flowing; null before it connected. */
  aliveAtMs: number | null;
}

/** What the engine says about a session at one sweep. */
export interface SessionObservation {
  /** WHIP: packets have arrived; WHEP: ICE + DTLS are up. */
  connected: boolean;
  /**
   * WHIP: the track's last packet (null before the first). WHEP: null — a subscriber is
   * alive while `connected` holds.
   */
  lastMediaAtMs: number | null;
}

export interface SessionStep {
  state: SessionState;
  expired: SessionExpiryReason | null;
}

export function initialSessionState(nowMs: number): SessionState {
  return { startedAtMs: nowMs, aliveAtMs: null };
}

export function observeSession(state: SessionState, obs: SessionObservation, nowMs: number, limits: SessionLimits): SessionStep {
  let aliveAtMs = state.aliveAtMs;
  if (obs.connected) {
    // A track's own packet time when it has one, else "now" (a connected subscriber).
    const seen = obs.lastMediaAtMs ?? nowMs;
    aliveAtMs = aliveAtMs === null ? seen : Math.max(aliveAtMs, seen);
  }
  const next: SessionState = { startedAtMs: state.startedAtMs, aliveAtMs };
  if (aliveAtMs === null) {
    return { state: next, expired: nowMs - state.startedAtMs >= limits.connectTimeoutMs ? "not_connected" : null };
  }
  return { state: next, expired: nowMs - aliveAtMs >= limits.mediaTimeoutMs ? "media_stopped" : null };
}
