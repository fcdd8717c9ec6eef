import { afterEach, describe, expect, it } from "vitest";
import { publish, startLab, subscribe, waitFor, waitForMesh, type Lab, type Published, type Subscribed } from "./sfu-kit.js";

describe("smoke", () => {
  let lab: Lab | null = null;
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await lab?.close();
  });

  it("relays one hop", async () => {
    lab = await startLab({ regions: ["a", "b"] });
    await waitForMesh(lab);
    const pub: Published = await publish(lab.node("a"), "room/t1");
    closers.push(pub);
    const s = pub.stream(100);
    closers.push({ close: async () => { s.stop(); } });
    const sub: Subscribed = await subscribe(lab.node("b"), "room/t1");
    closers.push(sub);
    expect(sub.status, sub.body).toBe(201);
    expect(sub.relayPath).toBe("a>b");
    await waitFor(() => sub.subscriber.packetsReceived > 20, 5000, "packets");
  });
});
