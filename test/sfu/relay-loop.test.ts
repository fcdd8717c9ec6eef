// The incident's relay loop on real region nodes: eu-central and eu-west close together,
// us-west far away. With announce-early + no-loop-guard on both EU regions and
// simultaneous demand, each pulls the other (nothing flows, /v1/state shows the cycle);
// switched back to defaults through the admin API, the same setup delivers and never
// forms the cycle. (The property over random 3–8 region meshes and announcement orders
// is sfu/relay/relay-loop.test.ts, on the same policies these nodes drive.)
import { describe, expect, it } from "vitest";
import { ENGINES, type Lab, labScope, prepareSubscriber, publish, subscribe, token, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const LATENCY: Record<string, number> = { "eu-central|eu-west": 2, "eu-central|us-west": 40, "eu-west|us-west": 45 };
const latencyMs = (x: string, y: string): number => LATENCY[[x, y].sort().join("|")] ?? 40;
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const EU = ["eu-central", "eu-west"] as const;

async function setBehaviours(lab: Lab, region: string, behaviours: string[]): Promise<Response> {
  return fetch(`${lab.node(region).url}/admin/behaviours`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ behaviours }),
  });
}

describe.each(ENGINES)("the 2024-02-07 relay loop (%s engine)", (engine) => {
  const scope = labScope();

  it("forms with announce-early + no-loop-guard, and never with the defaults", async () => {
    const lab = await scope.start({
      engine,
      regions: ["us-west", ...EU],
      wan: { latencyMs },
      node: (region) => ({
        admin: { enabled: true, token: ADMIN_TOKEN },
        settleMs: 1000,
        subscribeTimeoutMs: 3500,
        ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }),
      }),
    });
    await waitForMesh(lab);
    const origin = await publish(lab.node("us-west"), "probe/us-west");
    scope.defer(origin);
    const flow = origin.stream(100);
    scope.defer(flow);

    // Simultaneous demand in both EU regions (offers built first, then sent together).
    const offers = await Promise.all(EU.map(() => prepareSubscriber()));
    const pending = EU.map((r, i) => subscribe(lab.node(r), "probe/us-west", "video", {}, offers[i]));
    for (const p of pending) p.catch(() => undefined);
    await waitFor(async () => {
      const [ec, ew] = await Promise.all(EU.map((r) => trackIn(lab.node(r), "probe/us-west")));
      return ec?.upstream === "eu-west" && ew?.upstream === "eu-central";
    }, 5000, "each EU region showing the other as upstream");
    const [ec, ew] = await Promise.all(EU.map((r) => trackIn(lab.node(r), "probe/us-west")));
    expect(ec).toMatchObject({ upstream: "eu-west", state: "pulling", packets: 0, announced: true });
    expect(ew).toMatchObject({ upstream: "eu-central", state: "pulling", packets: 0, announced: true });
    const subs = await Promise.all(pending);
    for (const s of subs) {
      scope.defer(s);
      expect(s.status).toBe(504);
      expect(s.subscriber.packetsReceived).toBe(0);
    }

    // Back to defaults at run time, and a fresh track with the same simultaneous demand.
    for (const r of EU) expect((await setBehaviours(lab, r, [])).status).toBe(200);
    const fresh = await publish(lab.node("us-west"), "probe/us-west-2");
    scope.defer(fresh);
    const flow2 = fresh.stream(100);
    scope.defer(flow2);
    let cycleSeen = false;
    const watching = (async () => {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && !cycleSeen) {
        const [a, b] = await Promise.all(EU.map((r) => trackIn(lab.node(r), "probe/us-west-2")));
        if (a?.upstream === "eu-west" && b?.upstream === "eu-central") cycleSeen = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const offers2 = await Promise.all(EU.map(() => prepareSubscriber()));
    const fine = await Promise.all(EU.map((r, i) => subscribe(lab.node(r), "probe/us-west-2", "video", {}, offers2[i])));
    for (const s of fine) scope.defer(s);
    expect(fine.map((s) => s.status)).toEqual([201, 201]);
    await waitFor(() => fine.every((s) => s.subscriber.packetsReceived > 20), 5000, "packets in both EU regions");
    await watching;
    expect(cycleSeen).toBe(false);
  });

  it("keeps the admin API off unless enabled, and token-protected when on", async () => {
    const lab = await scope.start({ regions: ["on", "off"], node: (r) => (r === "on" ? { admin: { enabled: true, token: ADMIN_TOKEN } } : {}) });
    const off = await fetch(`${lab.node("off").url}/admin/behaviours`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(off.status).toBe(404);
    const noToken = await fetch(`${lab.node("on").url}/admin/behaviours`);
    expect(noToken.status).toBe(401);
    const wrong = await fetch(`${lab.node("on").url}/admin/behaviours`, { headers: { authorization: `Bearer ${token("x/y")}` } });
    expect(wrong.status).toBe(401);
    const bad = await setBehaviours(lab, "on", ["loop-everything"]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_behaviour");
    const set = await setBehaviours(lab, "on", ["no-loop-guard", "isolation=naive"]);
    expect(await set.json()).toEqual({ behaviours: ["no-loop-guard", "isolation=naive"] });
    const snap = (await (await fetch(`${lab.node("on").url}/v1/state`)).json()) as { behaviours: string[]; status: { isolation: string } };
    expect(snap.behaviours).toEqual(["no-loop-guard", "isolation=naive"]);
    expect(snap.status.isolation).toBe("naive");
  });
});
