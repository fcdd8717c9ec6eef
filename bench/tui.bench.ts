// TUI bench: what one analyzer update of a 20-region mesh costs on screen — from the new
// overview landing in the source to Ink having written the frame (React reconcile, the
// view-models, Yoga layout, output) at 120×40; goal < 50 ms. Also the mesh view-model
// alone, for scale.
import { EventEmitter } from "node:events";
import { ManualClock } from "../core/clock.js";
import { buildMesh } from "../tui/model/mesh-model.js";
import { FixedSource, twentyRegionOverview } from "../test/support/tui-fixtures.js";
import { quantile, sortedCopy, type Bench } from "./harness.js";

const UPDATES = 300;
const WARMUP = 30;
const GOAL_MS = 50;

/** A 120×40 terminal that hands each written frame to whoever waits for it. */
class BenchTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 120;
  readonly rows = 40;
  private waiter: (() => void) | null = null;
  write = (frame: string, done?: () => void): boolean => {
    if (frame !== "") {
      this.waiter?.();
      this.waiter = null;
    }
    if (done !== undefined) setImmediate(done);
    return true;
  };
  nextFrame(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

class BenchStdin extends EventEmitter {
  readonly isTTY = true;
  read = (): null => null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

const bench: Bench = {
  name: "tui",
  description: "render cost of one update of a 20-region mesh at 120×40 (source update → frame written); goal < 50 ms",
  async run(report) {
    // What users run: `relaywatch tui` loads React's production build (cli/commands/tui.ts).
    // Ink and React load here, after NODE_ENV is set, not at the harness's import.
    process.env["NODE_ENV"] ??= "production";
    const [{ render }, { createElement }, { App }] = await Promise.all([import("ink"), import("react"), import("../tui/components/App.js")]);
    report.progress(`React build: ${process.env["NODE_ENV"]}`);
    const now = Date.now();
    const clock = new ManualClock(now);
    const source = new FixedSource({ overview: twentyRegionOverview(now), connection: { kind: "live", since: now } });
    const term = new BenchTerminal();
    const inkTimes: number[] = [];
    const instance = render(createElement(App, { source, clock }), {
      stdout: term as unknown as NodeJS.WriteStream,
      stdin: new BenchStdin() as unknown as NodeJS.ReadStream,
      stderr: new BenchTerminal() as unknown as NodeJS.WriteStream,
      // debug: every commit is written at once (no 30 fps throttle hiding the cost).
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
      onRender: (m) => inkTimes.push(m.renderTime),
    });
    const updates: number[] = [];
    for (let i = 1; i <= UPDATES + WARMUP; i++) {
      const overview = twentyRegionOverview(now, i);
      const frame = term.nextFrame();
      const t0 = performance.now();
      source.set({ overview });
      await frame;
      if (i > WARMUP) updates.push(performance.now() - t0);
    }
    instance.unmount();
    instance.cleanup();
    const u = sortedCopy(updates);
    const ink = sortedCopy(inkTimes.slice(-UPDATES));
    report.figure("update→frame p50", quantile(u, 0.5), "ms", { note: `goal < ${GOAL_MS} ms` });
    report.figure("update→frame p95", quantile(u, 0.95), "ms", { note: `goal < ${GOAL_MS} ms` });
    report.figure("update→frame max", u[u.length - 1] ?? Number.NaN, "ms");
    report.figure("ink layout+output p50", quantile(ink, 0.5), "ms");

    const models: number[] = [];
    const overview = twentyRegionOverview(now, 3);
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      buildMesh({ overview, metric: "latency", filter: "", row: i % 20, col: (i * 7) % 20, width: 120, height: 36, now });
      models.push(performance.now() - t0);
    }
    report.figure("mesh view-model p50", quantile(sortedCopy(models), 0.5), "ms");
  },
};

export default bench;
