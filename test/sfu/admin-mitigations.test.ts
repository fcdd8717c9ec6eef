// The admin API's mitigations on real region nodes (the incident's EU loop, as in
// relay-loop.test.ts): /admin/relays/reset drops both EU regions' looped relays of a track
// and re-locates them from the origin, so the subscribes waiting on the loop get media;
// /admin/isolation/override answers with the region's state and needs the admin token.
import { describe, expect, it } from "vitest";
import { ENGINES, labScope, prepareSubscriber, publish, subscribe, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const LATENCY: Record<string, number> = { "eu-central|eu-west": 2, "eu-central|us-west": 40, "eu-west|us-west": 45 };
const latencyMs = (x: string, y: string): number => LATENCY[[x, y].sort().join("|")] ?? 40;
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const EU = ["eu-central", "eu-west"] as const;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

describe.each(ENGINES)("admin mitigations (%s engine)", (engine) => {
  const scope = labScope();

  it("relays/reset breaks a formed loop: both regions re-locate from the origin and the waiting subscribes get media", async () => {
    const lab = await scope.start({
      engine,
      regions: ["us-west", ...EU],
      wan: { latencyMs },
      node: (region) => ({
        admin: { enabled: true, token: ADMIN_TOKEN },
        settleMs: 1000,
        subscribeTimeoutMs: 8000,
        ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }),
      }),
    });
    await waitForMesh(lab);
    const origin = await publish(lab.node("us-west"), "probe/us-west");
    scope.defer(origin);
    const flow = origin.stream(100);
    scope.defer(flow);
    const offers = await Promise.all(EU.map(() => prepareSubscriber()));
    const pending = EU.map((r, i) => subscribe(lab.node(r), "probe/us-west", "video", {}, offers[i]));
    for (const p of pending) p.catch(() => undefined);
    await waitFor(async () => {
      const [ec, ew] = await Promise.all(EU.map((r) => trackIn(lab.node(r), "probe/us-west")));
      return ec?.upstream === "eu-west" && ew?.upstream === "eu-central";
    }, 5000, "the loop");

    for (const r of EU) {
      const res = await fetch(`${lab.node(r).url}/admin/relays/reset`, { method: "POST", headers: auth, body: JSON.stringify({ tracks: ["probe/us-west", "probe/none"] }) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { reset: { track: string; relocating: boolean }[]; notRelayed: string[] };
      expect(body.notRelayed).toEqual(["probe/none"]);
      expect(body.reset.map((x) => x.track)).toEqual(["probe/us-west"]);
    }
    const subs = await Promise.all(pending);
    for (const s of subs) scope.defer(s);
    expect(subs.map((s) => s.status)).toEqual([201, 201]);
    await waitFor(() => subs.every((s) => s.subscriber.packetsReceived > 20), 5000, "packets in both EU regions");
    const [ec, ew] = await Promise.all(EU.map((r) => trackIn(lab.node(r), "probe/us-west")));
    expect([ec?.upstream, ew?.upstream]).toEqual(["us-west", "us-west"]);
  });

  it("isolation/override and relays/reset refuse without the token and bad bodies; override of an online region changes nothing", async () => {
    const lab = await scope.start({ engine, regions: ["on"], node: () => ({ admin: { enabled: true, token: ADMIN_TOKEN } }) });
    const url = lab.node("on").url;
    expect((await fetch(`${url}/admin/isolation/override`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${url}/admin/relays/reset`, { method: "POST", body: "{}" })).status).toBe(401);
    expect((await fetch(`${url}/admin/relays/reset`, { method: "POST", headers: auth, body: JSON.stringify({ tracks: [] }) })).status).toBe(400);
    const res = await fetch(`${url}/admin/isolation/override`, { method: "POST", headers: auth, body: JSON.stringify({ reason: "test" }) });
    expect(await res.json()).toEqual({ state: "online", changed: false, policy: "guarded" });
  });
});
