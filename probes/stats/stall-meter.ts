// The agent's own stalls. A probe stamps each packet's arrival when its event loop gets to it;
// while that loop is held up (DTLS handshakes and certificates of a rotation's new sessions,
// a GC), packets wait in the socket and arrive "late" by the stall. Measured on `relaywatch
// up`, agents stall 100–450 ms around probe rotations; a window with such a stall reports
// the instrument's delay as the network's one-way latency. So the agent watches its pacing
// timer: how much later than its period it fired is how long the loop was held up, and a
// window with a stall of STALL_DISCOUNT_MS or more reports no latency (window-result.ts).
// Pure, time passed in.

/**
 * 100 ms: the pacer fires a millisecond or two late on an idle agent and a GC pause costs
 * tens of ms; 100 ms is a tenth of a window and a third of the latency alert's margin over a
 * 150 ms path, where a real stall starts to move a window's median.
 */
export const STALL_DISCOUNT_MS = 100;

export class StallMeter {
  private readonly periodMs: number;
  private last: number | null = null;
  private current = 0;
  private previous = 0;

  constructor(periodMs: number) {
    this.periodMs = periodMs;
  }

  /** The pacing timer fired at `now`. */
  tick(now: number): void {
    if (this.last !== null) this.current = Math.max(this.current, now - this.last - this.periodMs);
    this.last = now;
  }

  /**
   * The longest stall affecting the window that just closed: this window's, or the previous
   * one's (a stall across a boundary delays packets into the next window, whichever of the
   * two timers ran first after it). Starts the next window.
   */
  takeWindow(): number {
    const stall = Math.max(this.current, this.previous, 0);
    this.previous = this.current;
    this.current = 0;
    return stall;
  }
}
