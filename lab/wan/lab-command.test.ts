// `relaywatch lab wan ...` (cli/commands/lab.ts) against a real emulator and control API.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer } from "node:net";
import { Registry } from "prom-client";
import { labCommand, setBodyFromOptions } from "../../cli/commands/lab.js";
import { WanEmulator } from "./wan-emulator.js";
import { WanControlServer } from "./control-server.js";

/** A loopback port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  await new Promise<void>((r) => server.close(() => { r(); }));
  return addr !== null && typeof addr === "object" ? addr.port : 0;
}

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    await labCommand().parseAsync(args, { from: "user" });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  process.exitCode = 0;
  return { out, err, code };
}

describe("relaywatch lab wan", () => {
  let emu: WanEmulator;
  let control: WanControlServer;

  beforeAll(async () => {
    emu = await WanEmulator.start({ regions: [{ name: "us-west" }, { name: "eu-central" }, { name: "eu-west" }], registry: new Registry() });
    control = await WanControlServer.start({ emulator: emu });
  });
  afterAll(async () => {
    await control.close();
    await emu.close();
  });
  afterEach(() => {
    emu.heal();
  });

  it("set changes a link and prints it", async () => {
    const r = await run(["wan", "set", "--url", control.url, "--from", "us-west", "--to", "eu-central", "--latency", "90ms", "--jitter", "5ms", "--loss", "0.01"]);
    expect(r.code).toBe(0);
    expect(emu.getLink("us-west", "eu-central")).toMatchObject({ latencyMs: 90, jitterMs: 5, loss: 0.01 });
    expect(r.out).toMatch(/us-west\s+eu-central\s+90ms\s+5ms\s+1%/);
  });

  it("set --down / --up toggles a link, --both covers the reverse", async () => {
    await run(["wan", "set", "--url", control.url, "--from", "eu-central", "--to", "eu-west", "--down", "--both"]);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(true);
    const r = await run(["wan", "show", "--url", control.url]);
    expect(r.out).toMatch(/eu-central\s+eu-west\s+8ms.*DOWN/);
    await run(["wan", "set", "--url", control.url, "--from", "eu-central", "--to", "eu-west", "--up", "--both"]);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(false);
  });

  it("partition and heal", async () => {
    const r = await run(["wan", "partition", "us-west", "--for", "30s", "--url", control.url]);
    expect(r.out).toMatch(/^partition#\d+ applied for 30s/);
    expect(emu.getLink("us-west", "eu-west").effectiveDown).toBe(true);
    expect((await run(["wan", "show", "--url", control.url])).out).toContain("active: partition#");
    await run(["wan", "heal", "--url", control.url]);
    expect(emu.activeCuts()).toEqual([]);
  });

  it("reports an unreachable control API in one clear line, exit 1", async () => {
    const port = await freePort();
    const r = await run(["wan", "show", "--url", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`relaywatch lab wan: cannot reach the WAN emulator at http://127.0.0.1:${port} (ECONNREFUSED); is the lab running, and is --url its control API?\n`);
  });

  it("reports the API's refusal (unknown link) with its detail, exit 1", async () => {
    const r = await run(["wan", "set", "--url", control.url, "--from", "us-west", "--to", "mars-1", "--latency", "5ms"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PUT \/v1\/links\/us-west\/mars-1 failed: 404 not_found: link: got "us-west>mars-1"/);
  });

  it("rejects bad flag values before calling anything (exit 2)", async () => {
    expect(() => setBodyFromOptions({ url: "", from: "a", to: "b", loss: "5%" })).toThrow('--loss: got "5%", expected a number from 0 to 1');
    expect(() => setBodyFromOptions({ url: "", from: "a", to: "b" })).toThrow(/at least one of --latency/);
    const r = await run(["wan", "set", "--url", control.url, "--from", "us-west", "--to", "eu-west", "--latency", "soon"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--latency: got "soon", expected a duration like 70ms or 1.5s');
  });
});
