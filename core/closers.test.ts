import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { Closers, describeCloseFailures } from "./closers.js";

/** Lets pending promise callbacks run (closeAll awaits each close in turn). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe("Closers", () => {
  it("closeAll() closes in reverse order of push, each once, and is idempotent", async () => {
    const closers = new Closers({ clock: new ManualClock() });
    const order: string[] = [];
    closers.push("store", () => { order.push("store"); });
    closers.push("server", async () => { await Promise.resolve(); order.push("server"); });
    closers.push("watchers", () => { order.push("watchers"); });
    const first = closers.closeAll();
    const second = closers.closeAll();
    expect(second).toBe(first);
    const report = await first;
    expect(order).toEqual(["watchers", "server", "store"]);
    expect(report).toEqual({ closed: ["watchers", "server", "store"], failures: [] });
    await closers.closeAll();
    expect(order).toHaveLength(3);
    expect(closers.size).toBe(0);
  });

  it("closeAll() collects a throwing or rejecting close and still closes the rest", async () => {
    const closers = new Closers({ clock: new ManualClock() });
    const order: string[] = [];
    closers.push("a", () => { order.push("a"); });
    closers.push("b", () => { throw new Error("b broke"); });
    closers.push("c", () => Promise.reject(new Error("c broke")));
    closers.push("d", () => { order.push("d"); });
    const report = await closers.closeAll();
    expect(order).toEqual(["d", "a"]);
    expect(report.closed).toEqual(["d", "a"]);
    expect(report.failures.map((f) => [f.name, f.timedOut])).toEqual([["c", false], ["b", false]]);
    expect(describeCloseFailures(report)).toEqual(["c: c broke", "b: b broke"]);
  });

  it("closeAll() gives up on a close that hangs past its timeout and goes on with the next", async () => {
    const clock = new ManualClock();
    const closers = new Closers({ clock, timeoutMs: 1000 });
    const order: string[] = [];
    closers.push("first", () => { order.push("first"); });
    closers.push("hangs", () => new Promise<void>(() => undefined));
    closers.push("slow", () => new Promise<void>(() => undefined), { timeoutMs: 3000 });
    let done = false;
    const all = closers.closeAll().then((r) => { done = true; return r; });
    await settle();
    clock.advance(2999);
    await settle();
    expect(done).toBe(false);
    expect(order).toEqual([]);
    clock.advance(1);
    await settle();
    expect(done).toBe(false);
    clock.advance(999);
    await settle();
    expect(done).toBe(false);
    clock.advance(1);
    const report = await all;
    expect(order).toEqual(["first"]);
    expect(report.failures.map((f) => [f.name, f.timedOut])).toEqual([["slow", true], ["hangs", true]]);
    expect(describeCloseFailures(report)[0]).toBe("slow: close did not finish within 3000 ms");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a close that finishes in time leaves no timer behind", async () => {
    const clock = new ManualClock();
    const closers = new Closers({ clock });
    closers.push("quick", () => Promise.resolve());
    await closers.closeAll();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("push() after closeAll() has started closes the newcomer too (a start step that finished during shutdown)", async () => {
    const clock = new ManualClock();
    const closers = new Closers({ clock });
    const order: string[] = [];
    let release = (): void => undefined;
    closers.push("old", () => new Promise<void>((r) => { release = () => { order.push("old"); r(); }; }));
    const all = closers.closeAll();
    await settle();
    closers.push("during", () => { order.push("during"); });
    release();
    const report = await all;
    expect(order).toEqual(["old", "during"]);
    expect(report.closed).toEqual(["old", "during"]);
    closers.push("after", () => { order.push("after"); });
    await settle();
    expect(order).toEqual(["old", "during", "after"]);
    expect(closers.closed).toBe(true);
  });

  it("open() registers the close only when opening succeeded", async () => {
    const closers = new Closers({ clock: new ManualClock() });
    const closed: number[] = [];
    const v = await closers.open("one", () => Promise.resolve(1), (n) => { closed.push(n); });
    expect(v).toBe(1);
    await expect(closers.open("two", () => Promise.reject(new Error("no")), () => { closed.push(2); })).rejects.toThrow("no");
    expect(closers.size).toBe(1);
    await closers.closeAll();
    expect(closed).toEqual([1]);
  });
});
