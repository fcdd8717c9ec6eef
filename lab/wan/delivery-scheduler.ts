// Runs deliveries at their release times, on an injected Clock, in (time, arrival) order.
// One min-heap and one timer for the whole emulator, however many packets are in flight.
// A delivery that is already due runs at once, after every overdue one before it, so the
// 0 ms path costs no timer and still never overtakes a packet queued earlier.
import type { Clock, TimerHandle } from "../../core/clock.js";
import { InvalidStateError } from "../../core/errors.js";

interface Entry {
  due: number;
  seq: number;
  run: () => void;
}

export class DeliveryScheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: TimerHandle | null = null;
  private timerDue = Number.POSITIVE_INFINITY;
  private closed = false;
  private running = false;

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of deliveries waiting. */
  get pending(): number {
    return this.heap.length;
  }

  schedule(due: number, run: () => void): void {
    if (this.closed) throw new InvalidStateError("DeliveryScheduler is closed");
    const now = this.clock.now();
    if (due <= now) {
      this.runDue(due);
      run();
      return;
    }
    this.push({ due, seq: this.seq++, run });
    if (due < this.timerDue) this.arm();
  }

  /** Drops every pending delivery and cancels the timer. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    this.heap.length = 0;
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerDue = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    this.runDue(this.clock.now());
    this.arm();
  };

  private runDue(limit: number): void {
    if (this.running) return; // a delivery that schedules another: the outer loop picks it up
    this.running = true;
    try {
      for (;;) {
        const top = this.heap[0];
        if (top === undefined || top.due > limit || this.closed) break;
        this.pop();
        top.run();
      }
    } finally {
      this.running = false;
    }
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) {
      this.timer?.cancel();
      this.timer = null;
      this.timerDue = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer !== null && this.timerDue <= top.due) return;
    this.timer?.cancel();
    this.timerDue = top.due;
    // ceil: a timer must never fire before the release time it stands for.
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, Math.ceil(top.due - this.clock.now())));
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (p === undefined || !before(e, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      const left = h[l];
      const right = h[r];
      if (left !== undefined && before(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right !== undefined && before(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at === -1) break;
      h[i] = smallest;
      i = at;
    }
    h[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
