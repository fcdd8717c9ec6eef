// Client-side region failover, as WebRTC client SDKs do it: every new WHIP/WHEP session
// tries the agent's home SFU first; when the home region refuses it — 503 (the region took
// itself offline or is draining) or a connection that cannot be made (the process is gone)
// — the session goes to the next SFU in the list (nearest first), and the home SFU is
// skipped for `holdMs` so every session does not pay for a refusal first. After the hold,
// new sessions try home again: the agent fails back by itself once its region serves.
// Sessions already running stay where they are until they end (their rotation).
//
// In the 2024-02-07 incident this is what moved US East's clients to US West, where their
// fresh tracks met the EU regions' relay-locator bug. Pure policy: the clock is injected,
// and what counts as a refusal is decided here from a SetupFailure value.
import type { Clock } from "../core/clock.js";
import { ConfigError } from "../core/errors.js";
import type { SetupFailure } from "./stats/observation.js";

/** 5 s: long enough that a region which is offline is not asked for every session; short enough to fail back soon after it serves again. */
export const DEFAULT_FAILOVER_HOLD_MS = 5000;

/** Whether a failed offer means "this region will not serve you": try the next one. */
export function isRefusal(f: SetupFailure): boolean {
  if (f.kind === "http") return f.status === 503;
  return f.kind === "setup" && f.stage === "network";
}

export interface FailoverOptions {
  /** The home SFU first, then the others in the order to try them (nearest first). */
  bases: readonly string[];
  holdMs?: number;
  clock: Clock;
}

export class SfuFailover {
  readonly bases: readonly string[];
  private readonly holdMs: number;
  private readonly clock: Clock;
  /** Base → until when it is skipped (ms, clock time). */
  private readonly heldUntil = new Map<string, number>();
  private lastServed: string;

  constructor(o: FailoverOptions) {
    this.bases = o.bases.map((b, i) => normaliseBase(b, i === 0 ? "--sfu" : "--failover"));
    if (this.bases.length === 0) throw new ConfigError("--sfu", undefined, "the region's SFU URL");
    if (new Set(this.bases).size !== this.bases.length) throw new ConfigError("--failover", o.bases.join(","), "SFU URLs different from --sfu and from each other");
    this.holdMs = o.holdMs ?? DEFAULT_FAILOVER_HOLD_MS;
    this.clock = o.clock;
    this.lastServed = this.bases[0] ?? "";
  }

  get home(): string {
    return this.bases[0] ?? "";
  }

  /** The SFU that served the last successful session. */
  get serving(): string {
    return this.lastServed;
  }

  /**
   * The URLs to try for `url` (an endpoint under the home SFU), in order: the bases not on
   * hold, then those on hold (a region that refused may serve again; better than nothing).
   */
  candidates(url: string): string[] {
    if (!url.startsWith(`${this.home}/`)) return [url];
    const rest = url.slice(this.home.length);
    const now = this.clock.now();
    const free = this.bases.filter((b) => (this.heldUntil.get(b) ?? -Infinity) <= now);
    const held = this.bases.filter((b) => !free.includes(b));
    return [...free, ...held].map((b) => `${b}${rest}`);
  }

  /** Records the outcome of one attempt at `url`; returns whether to try the next candidate. */
  record(url: string, failure: SetupFailure | null): boolean {
    const base = this.bases.find((b) => url.startsWith(`${b}/`));
    if (base === undefined) return false;
    if (failure === null) {
      this.heldUntil.delete(base);
      this.lastServed = base;
      return false;
    }
    if (!isRefusal(failure)) return false;
    this.heldUntil.set(base, this.clock.now() + this.holdMs);
    return true;
  }
}

function normaliseBase(url: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(flag, url, "an http(s) URL like http://127.0.0.1:7001");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new ConfigError(flag, url, "an http(s) URL");
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}
