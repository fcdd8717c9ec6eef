// Isolation on real region nodes, with time driven by one ManualClock shared by every node
// (heartbeat rounds happen only when the test advances it) and faults made by the WAN
// emulator: x runs `isolation=naive`, y the default `guarded`, p is a plain peer, and the
// analyzer observer is the witness.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { GUARDED_RECOVERY_MS, GUARDED_SUSPECT_WINDOW_MS, NAIVE_RECOVERY_MS } from "../../sfu/health/isolation-policy.js";
import type { RegionNode } from "../../sfu/node/region-node.js";
import { ENGINES, metricValue, startLab, token, type Lab } from "./sfu-kit.js";

const ROUND_MS = 1000;

describe.each(ENGINES)("isolation (manual clock, WAN emulator cuts) (%s engine)", (engine) => {
  let lab: Lab | null = null;
  let witness: Server | null = null;
  afterEach(async () => {
    await lab?.close();
    lab = null;
    await new Promise<void>((r) => {
      if (witness === null) r();
      else witness.close(() => { r(); });
    });
    witness = null;
  });

  it("a 3 s loss takes naive offline and leaves guarded online; sustained loss + silent witness takes guarded offline; recovery needs hysteresis", async () => {
    witness = createServer((_req, res) => { res.end("ok"); });
    await new Promise<void>((r) => witness!.listen(0, "127.0.0.1", r));
    const clock = new ManualClock(Date.now());
    lab = await startLab({
      engine,
      regions: ["x", "y", "p"],
      wan: { latencyMs: () => 1 },
      witnessPort: (witness.address() as AddressInfo).port,
      clock,
      node: (r) => ({ heartbeatMs: ROUND_MS, heartbeatTimeoutMs: 250, ...(r === "x" ? { behaviours: ["isolation=naive"] } : {}) }),
    });
    const emu = lab.emu!;
    const [x, y] = [lab.node("x"), lab.node("y")];
    const round = async (): Promise<void> => {
      clock.advance(ROUND_MS);
      await Promise.all([...lab!.nodes.values()].map((n) => n.health.tick()));
    };
    const rounds = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await round();
    };
    // After a heal the emulator's TCP proxies may lose the first exchange (a cut discards
    // stream chunks mid-request); the hysteresis counts from the first answered round.
    const untilAnswered = async (n: RegionNode): Promise<void> => {
      for (let i = 0; i < 5; i++) {
        await round();
        if (n.health.peers().every((p) => p.reachable && p.lastSeenAt === clock.now())) return;
      }
      throw new Error(`${n.region}: peers still silent 5 rounds after the heal`);
    };
    await untilAnswered(x);
    await untilAnswered(y);

    // A 3 s loss of every peer (each cut from everything, witness included).
    let cuts = [emu.isolate(["x"]), emu.isolate(["y"])];
    await round();
    expect(x.state.state).toBe("offline");
    expect(await metricValue(lab.registries.get("x")!, "relaywatch_sfu_region_state")).toBe(0);
    const refused = await fetch(`${x.url}/whip/live/cam`, {
      method: "POST", body: "v=0\r\n", headers: { "content-type": "application/sdp", authorization: `Bearer ${token("live/cam", "publish")}` },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { error: string }).error).toBe("region_offline");
    await rounds(2);
    expect(y.state.state).toBe("online");
    for (const c of cuts) c.heal();

    // Naive recovery: every peer must answer for the whole recovery period.
    await untilAnswered(x);
    await rounds(NAIVE_RECOVERY_MS / ROUND_MS - 2);
    expect(x.state.state).toBe("offline");
    await rounds(3);
    expect(x.state.state).toBe("online");
    expect(y.state.state).toBe("online");

    // Guarded: every peer silent past the window, witness reachable (partition) → stays online.
    cuts = [emu.partition(["y"])];
    await rounds(GUARDED_SUSPECT_WINDOW_MS / ROUND_MS + 2);
    expect(y.state.state).toBe("online");
    expect(y.state.reason).toMatch(/^witness_reachable/);
    for (const c of cuts) c.heal();
    await untilAnswered(y);

    // ...and with the witness unreachable too (isolate) → offline once the window has passed.
    cuts = [emu.isolate(["y"])];
    await rounds(GUARDED_SUSPECT_WINDOW_MS / ROUND_MS - 2);
    expect(y.state.state).toBe("online");
    await rounds(3);
    expect(y.state.state).toBe("offline");
    expect(y.state.reason).toMatch(/^isolated/);
    for (const c of cuts) c.heal();
    await untilAnswered(y);
    await rounds(GUARDED_RECOVERY_MS / ROUND_MS - 2);
    expect(y.state.state).toBe("offline");
    await rounds(3);
    expect(y.state.state).toBe("online");
    expect(await metricValue(lab.registries.get("y")!, "relaywatch_sfu_isolation_decisions_total", { decision: "isolated" })).toBeGreaterThan(0);
  });
});
