import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.js";
import { ConfigError } from "../core/errors.js";
import { isRefusal, SfuFailover } from "./failover.js";
import type { SetupFailure } from "./stats/observation.js";
import { WhipClient } from "./whip-client.js";

const http = (status: number): SetupFailure => ({ kind: "http", status, statusText: "", errorCode: null, detail: null, retryAfterMs: null, endpoint: "WHEP x" });
const refused: SetupFailure = { kind: "setup", stage: "network", detail: "ECONNREFUSED" };

const HOME = "http://127.0.0.1:7001";
const NEAR = "http://127.0.0.1:7002";
const FAR = "http://127.0.0.1:7003";

describe("SfuFailover (policy)", () => {
  it("tries home first; a refusal holds it for holdMs, during which the next SFU comes first; then home again", () => {
    const clock = new ManualClock(1_000_000);
    const f = new SfuFailover({ bases: [HOME, NEAR, FAR], holdMs: 5000, clock });
    const url = `${HOME}/whep/probe/eu-west.3`;
    expect(f.candidates(url)).toEqual([url, `${NEAR}/whep/probe/eu-west.3`, `${FAR}/whep/probe/eu-west.3`]);
    expect(f.record(url, http(503))).toBe(true);
    expect(f.record(`${NEAR}/whep/probe/eu-west.3`, null)).toBe(false);
    expect(f.serving).toBe(NEAR);
    clock.advance(4999);
    // Held, home goes last: a region that refused may serve again, better than nothing.
    expect(f.candidates(url)).toEqual([`${NEAR}/whep/probe/eu-west.3`, `${FAR}/whep/probe/eu-west.3`, url]);
    clock.advance(1);
    expect(f.candidates(url)[0]).toBe(url);
    expect(f.record(url, null)).toBe(false);
    expect(f.serving).toBe(HOME);
  });

  it("fails over on 503 and on a connection that cannot be made, not on other errors", () => {
    expect(isRefusal(http(503))).toBe(true);
    expect(isRefusal(refused)).toBe(true);
    for (const s of [400, 401, 404, 409, 500, 502]) expect(isRefusal(http(s)), String(s)).toBe(false);
    expect(isRefusal({ kind: "timeout", stage: "request", afterMs: 5000 })).toBe(false);
    expect(isRefusal({ kind: "setup", stage: "answer", detail: "no SDP" })).toBe(false);
    const f = new SfuFailover({ bases: [HOME, NEAR], clock: new ManualClock(0) });
    expect(f.record(`${HOME}/whip/probe/x.1`, http(404))).toBe(false);
    expect(f.candidates(`${HOME}/whip/probe/x.1`)[0]).toBe(`${HOME}/whip/probe/x.1`);
  });

  it("leaves URLs that are not under the home SFU alone, and rejects bad or repeated URLs naming the flag", () => {
    const f = new SfuFailover({ bases: [`${HOME}/sfu/`, NEAR], clock: new ManualClock(0) });
    expect(f.home).toBe(`${HOME}/sfu`);
    expect(f.candidates("http://elsewhere/whip/a")).toEqual(["http://elsewhere/whip/a"]);
    expect(f.candidates(`${HOME}/sfu/whip/a`)).toEqual([`${HOME}/sfu/whip/a`, `${NEAR}/whip/a`]);
    expect(() => new SfuFailover({ bases: [HOME, "ftp://x"], clock: new ManualClock(0) })).toThrow(/--failover/);
    expect(() => new SfuFailover({ bases: [HOME, `${HOME}/`], clock: new ManualClock(0) })).toThrow(ConfigError);
  });
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  }
});

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A WHEP endpoint answering with `status` (201 with an SDP answer, or an error), counting its requests. */
async function sfu(status: () => number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const app = express();
  app.post("/whep/:room/:track", (_req, res) => {
    hits++;
    const s = status();
    if (s === 201) res.status(201).set("location", "/whep/session/1").set("relay-path", "us-west").type("application/sdp").send("v=0\r\n");
    else res.status(s).json({ error: s === 503 ? "region_offline" : "boom" });
  });
  return { url: await listen(createServer(app)), hits: () => hits };
}

async function closedPort(): Promise<string> {
  const url = await listen(createServer());
  const s = servers.pop();
  await new Promise<void>((resolve) => s?.close(() => { resolve(); }));
  return url;
}

describe("WhipClient with failover, against real loopback HTTP servers", () => {
  it("a 503 from home goes to the next SFU; its Location and Relay-Path are the next SFU's; held home is skipped, then retried", async () => {
    let homeStatus = 503;
    const home = await sfu(() => homeStatus);
    const near = await sfu(() => 201);
    const clock = new ManualClock(0);
    const client = new WhipClient({ failover: new SfuFailover({ bases: [home.url, near.url], holdMs: 5000, clock }) });
    const first = await client.offer("WHEP", `${home.url}/whep/probe/eu-west.3`, "v=0\r\n");
    expect(first.ok && first.value.location).toBe(`${near.url}/whep/session/1`);
    expect(first.ok && first.value.relayPath).toEqual(["us-west"]);
    expect([home.hits(), near.hits()]).toEqual([1, 1]);
    await client.offer("WHEP", `${home.url}/whep/probe/eu-west.4`, "v=0\r\n");
    expect([home.hits(), near.hits()]).toEqual([1, 2]);
    homeStatus = 201;
    clock.advance(5000);
    const back = await client.offer("WHEP", `${home.url}/whep/probe/eu-west.5`, "v=0\r\n");
    expect(back.ok && back.value.location).toBe(`${home.url}/whep/session/1`);
    expect([home.hits(), near.hits()]).toEqual([2, 2]);
  });

  it("a home that refuses connections fails over; a 500 from home does not (it is an error, not a refusal)", async () => {
    const near = await sfu(() => 201);
    const dead = await closedPort();
    const client = new WhipClient({ failover: new SfuFailover({ bases: [dead, near.url], clock: new ManualClock(0) }) });
    const r = await client.offer("WHEP", `${dead}/whep/probe/x.1`, "v=0\r\n");
    expect(r.ok && r.value.location).toBe(`${near.url}/whep/session/1`);

    const broken = await sfu(() => 500);
    const near2 = await sfu(() => 201);
    const client2 = new WhipClient({ failover: new SfuFailover({ bases: [broken.url, near2.url], clock: new ManualClock(0) }) });
    const e = await client2.offer("WHEP", `${broken.url}/whep/probe/x.1`, "v=0\r\n");
    expect(!e.ok && e.error.kind === "http" && e.error.status).toBe(500);
    expect(near2.hits()).toBe(0);
  });

  it("when every SFU refuses, the answer is home's refusal (the pair reports region_offline, not the fallback's error)", async () => {
    const home = await sfu(() => 503);
    const dead = await closedPort();
    const client = new WhipClient({ failover: new SfuFailover({ bases: [home.url, dead], clock: new ManualClock(0) }) });
    const r = await client.offer("WHEP", `${home.url}/whep/probe/x.1`, "v=0\r\n");
    expect(!r.ok && r.error.kind === "http" && r.error.status).toBe(503);
  });
});
