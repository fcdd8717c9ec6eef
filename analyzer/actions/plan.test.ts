import { describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import { planAction, verification, type PlanView } from "./plan.js";

const REGIONS = ["us-east", "us-west", "eu-central", "eu-west"];

function alert(name: Alert["name"], labels: Record<string, string>, fingerprint: string): Alert {
  return { fingerprint, name, state: "firing", severity: "critical", labels, summary: "", evidence: {}, startsAt: 1, endsAt: null, updatedAt: 1 };
}

const view: PlanView = {
  regions: REGIONS,
  firing: [alert("RelayLoop", { regions: "eu-central,eu-west" }, "loop1"), alert("FalseIsolation", { region: "us-east" }, "iso1"), alert("RegionOffline", { region: "us-east" }, "off1")],
  loops: [
    { track: "probe/us-west-3", cycle: ["eu-central", "eu-west", "eu-central"], origin: "us-west" },
    { track: "probe/us-east-3", cycle: ["eu-west", "eu-central", "eu-west"], origin: "us-west" },
  ],
  behaviours: (r) => (r.startsWith("eu-") ? ["announce-early", "no-loop-guard"] : []),
};

describe("planAction()", () => {
  it("loop-break on a cycle: loop guard back on first, then every looped track reset in each region; verified by the RelayLoop and the pairs into the cycle", () => {
    const r = planAction({ kind: "loop-break", regions: ["eu-west", "eu-central"] }, view);
    if (!r.ok) throw new Error(r.error);
    expect(r.plan.target).toBe("eu-central,eu-west");
    expect(r.plan.steps.map((s) => `${s.method} ${s.region} ${s.path}`)).toEqual([
      "PUT eu-central /admin/behaviours", "PUT eu-west /admin/behaviours", "POST eu-central /admin/relays/reset", "POST eu-west /admin/relays/reset",
    ]);
    expect(r.plan.steps[0]?.body).toEqual({ behaviours: ["announce-early"] });
    expect(r.plan.steps[2]?.body).toEqual({ tracks: ["probe/us-west-3", "probe/us-east-3"] });
    expect(r.plan.steps[2]?.says).toContain("re-locate from the origin (us-west)");
    expect(r.plan.verify).toEqual({ alerts: [{ fingerprint: "loop1", name: "RelayLoop" }], regions: ["eu-central", "eu-west"], pairs: "into" });
  });

  it("loop-break of one track names its cycle; restoreLoopGuard false leaves the behaviours alone", () => {
    const r = planAction({ kind: "loop-break", track: "probe/us-east-3", restoreLoopGuard: false }, view);
    if (!r.ok) throw new Error(r.error);
    expect(r.plan.steps.map((s) => s.path)).toEqual(["/admin/relays/reset", "/admin/relays/reset"]);
    expect(r.plan.steps[0]?.body).toEqual({ tracks: ["probe/us-east-3"] });
  });

  it("refuses what does not apply: no loop there, an unknown region, nothing named", () => {
    const noLoop = planAction({ kind: "loop-break", regions: ["us-east", "us-west"] }, view);
    expect(!noLoop.ok && noLoop.error).toContain("no track loops on us-east,us-west");
    const mars = planAction({ kind: "drain", region: "mars" }, view);
    expect(!mars.ok && mars.error).toContain("no region mars");
    expect(planAction({ kind: "loop-break" }, view)).toMatchObject({ ok: false });
    expect(planAction({ kind: "loop-break", track: "probe/fine" }, view)).toMatchObject({ ok: false });
  });

  it("override-isolation: one call, verified by the region's FalseIsolation and RegionOffline and every pair in or out of it", () => {
    const r = planAction({ kind: "override-isolation", region: "us-east" }, view);
    if (!r.ok) throw new Error(r.error);
    expect(r.plan.steps).toHaveLength(1);
    expect(r.plan.steps[0]).toMatchObject({ method: "POST", path: "/admin/isolation/override", region: "us-east" });
    expect(r.plan.verify.alerts.map((a) => a.name)).toEqual(["FalseIsolation", "RegionOffline"]);
    expect(r.plan.verify.pairs).toBe("both");
  });

  it("behaviours and drain say what changes and verify nothing", () => {
    const b = planAction({ kind: "behaviours", region: "eu-west", set: [] }, view);
    expect(b.ok && b.plan.summary).toBe("switch eu-west's legacy behaviours: announce-early,no-loop-guard → (defaults)");
    const d = planAction({ kind: "drain", region: "eu-west" }, view);
    expect(d.ok && d.plan.steps[0]?.path).toBe("/admin/drain");
    expect(d.ok && d.plan.verify.regions).toEqual([]);
  });
});

describe("verification()", () => {
  const r = planAction({ kind: "loop-break", regions: ["eu-central", "eu-west"] }, view);
  if (!r.ok) throw new Error(r.error);
  const pairs = [
    { src: "us-west", dst: "eu-central", status: "ok" },
    { src: "us-west", dst: "eu-west", status: "no_media" },
    { src: "eu-west", dst: "us-east", status: "no_media" },
  ];

  it("waits while the alert fires or a pair into the cycle fails, and ignores pairs out of it", () => {
    expect(verification(r.plan, { firing: new Set(["loop1"]), pairs })).toEqual({ verified: false, detail: "RelayLoop still firing; 1/2 pairs ok (failing: us-west→eu-west)" });
    const fixed = pairs.map((p) => (p.dst === "eu-west" ? { ...p, status: "ok" } : p));
    expect(verification(r.plan, { firing: new Set(), pairs: fixed })).toEqual({ verified: true, detail: "RelayLoop resolved; 2/2 pairs ok" });
  });
});
