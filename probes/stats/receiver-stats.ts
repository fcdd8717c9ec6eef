// Receive-side statistics of one probe subscription: loss, RFC 3550 interarrival jitter,
// reordering, duplicates and one-way latency, cut into windows. Pure: packets come in
// with their arrival time, nothing here reads a clock or schedules anything.
//
// Loss follows RFC 3550 §6.4.1: packets expected in a window = advance of the highest
// packet index seen; lost = expected − new packets received (clamped at 0: a late packet
// from an earlier window can make a window look better than perfect). Loss at the tail of
// a window is therefore counted in the window where the next packet arrives.
//
// One-way latency is arrival − send time, which is only meaningful when sender and
// receiver clocks agree: true on one machine (the lab), needs PTP/NTP-disciplined clocks
// (and then carries their error) across machines. Negative values are clamped to 0.

/**
 * 4096 packet indices (82 s at 50 pps): how far back a duplicate is recognised. Beyond
 * that a packet is too old to tell; it is counted as reordered and not as received.
 */
export const DUPLICATE_HISTORY = 4096;
/** RFC 3550 §6.4.1: J(i) = J(i−1) + (|D(i−1,i)| − J(i−1)) / 16. */
const JITTER_GAIN = 1 / 16;

export type PacketVerdict = "new" | "reordered" | "duplicate" | "too_old";

export interface WindowFigures {
  /** Packets the sender emitted in this window's span of indices (RFC 3550 "expected"). */
  expected: number;
  /** Distinct packets received (including reordered ones). */
  received: number;
  lost: number;
  duplicates: number;
  /** Packets that arrived after a packet with a higher index. */
  reordered: number;
  /** The running RFC 3550 estimate at the end of the window, in ms. */
  jitterMs: number;
  /** One-way latencies of this window's packets, ascending, ms. */
  latenciesMs: number[];
  /** Arrival time of the last packet so far (any window), or null. */
  lastArrivalMs: number | null;
}

export class ReceiverStats {
  private highest = -1;
  /** Highest index at the end of the previous window; -1 means "before the first packet". */
  private windowBaseHighest = -1;
  private readonly seen = new Float64Array(DUPLICATE_HISTORY).fill(-1);
  private lastTransitMs: number | null = null;
  private jitter = 0;
  private lastArrival: number | null = null;
  private totalReceived = 0;
  private w = { received: 0, duplicates: 0, reordered: 0, latencies: [] as number[] };

  get packetsReceived(): number {
    return this.totalReceived;
  }

  get lastArrivalMs(): number | null {
    return this.lastArrival;
  }

  /** Records one packet; `sendTimeMs` from the probe header, `arrivalMs` on the receiver's clock. */
  record(index: number, sendTimeMs: number, arrivalMs: number): PacketVerdict {
    if (this.highest >= 0 && index <= this.highest - DUPLICATE_HISTORY) {
      this.w.reordered++;
      return "too_old";
    }
    const slot = index % DUPLICATE_HISTORY;
    if (this.seen[slot] === index) {
      this.w.duplicates++;
      return "duplicate";
    }
    this.seen[slot] = index;
    let verdict: PacketVerdict = "new";
    if (this.highest < 0) {
      // RFC 3550 base sequence: the first packet seen, whatever its index.
      this.windowBaseHighest = index - 1;
      this.highest = index;
    } else if (index > this.highest) {
      this.highest = index;
    } else {
      verdict = "reordered";
      this.w.reordered++;
    }
    const transit = arrivalMs - sendTimeMs;
    if (this.lastTransitMs !== null) this.jitter += (Math.abs(transit - this.lastTransitMs) - this.jitter) * JITTER_GAIN;
    this.lastTransitMs = transit;
    this.w.latencies.push(transit > 0 ? transit : 0);
    this.w.received++;
    this.totalReceived++;
    this.lastArrival = arrivalMs;
    return verdict;
  }

  /** Closes the current window and returns its figures; the running state (jitter, highest) carries on. */
  takeWindow(): WindowFigures {
    const expected = this.highest < 0 ? 0 : this.highest - this.windowBaseHighest;
    const { received, duplicates, reordered, latencies } = this.w;
    this.windowBaseHighest = this.highest < 0 ? -1 : this.highest;
    this.w = { received: 0, duplicates: 0, reordered: 0, latencies: [] };
    latencies.sort((a, b) => a - b);
    return {
      expected,
      received,
      lost: Math.max(0, expected - received),
      duplicates,
      reordered,
      jitterMs: this.jitter,
      latenciesMs: latencies,
      lastArrivalMs: this.lastArrival,
    };
  }
}

/** Nearest-rank quantile of an ascending array; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? null;
}
