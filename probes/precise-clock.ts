// The clock probe packets are stamped and received with: wall-clock epoch milliseconds
// with sub-millisecond resolution (performance.timeOrigin + performance.now()), so one-way
// latency on one machine is not rounded to whole milliseconds as Date.now() would be.
// Timers are the system's. Processes on one machine agree to well under a millisecond.
import { performance } from "node:perf_hooks";
import { systemClock, type Clock } from "../core/clock.js";

export const preciseClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
  setInterval: (fn, ms) => systemClock.setInterval(fn, ms),
};
