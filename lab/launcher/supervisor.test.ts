import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, isAlive, waitFor } from "../../test/support/ports.js";
import { Supervisor } from "./supervisor.js";

const CHILD = join(import.meta.dirname, "../../test/support/ready-child.ts");
const PARENT = join(import.meta.dirname, "../../test/support/launcher-parent.ts");
const dir = mkdtempSync(join(tmpdir(), "relaywatch-sup-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const childSpec = (name: string, port: number) => ({ name, command: process.execPath, args: ["--import", "tsx", CHILD, String(port)], readyUrl: `http://127.0.0.1:${port}/` });

describe("Supervisor", () => {
  it("starts processes once ready, kills and restarts one, and stopAll() leaves none alive", async () => {
    const sup = new Supervisor({ logDir: join(dir, "logs") });
    const exits: { name: string; expected: boolean }[] = [];
    sup.events.on("exit", (e) => exits.push({ name: e.name, expected: e.expected }));
    await sup.start(childSpec("a", await freePort()));
    await sup.start(childSpec("b", await freePort()));
    const pids = sup.info().map((p) => p.pid);
    expect(pids.every((p) => p !== null && isAlive(p))).toBe(true);

    await sup.kill("a");
    expect(exits).toEqual([{ name: "a", expected: true }]);
    expect(isAlive(pids[0] ?? -1)).toBe(false);
    await sup.restart("a");
    expect(sup.info().find((p) => p.name === "a")).toMatchObject({ running: true, restarts: 1 });

    const all = sup.info().map((p) => p.pid ?? -1);
    await sup.stopAll(2000);
    expect(all.map(isAlive)).toEqual([false, false]);
    expect(sup.info().every((p) => !p.running)).toBe(true);
    await expect(sup.start(childSpec("c", await freePort()))).rejects.toThrow(/stopped/);
  });

  it("a process that exits before it is ready fails start() and names its log", async () => {
    const sup = new Supervisor({ logDir: join(dir, "logs2") });
    await expect(sup.start({ name: "bad", command: process.execPath, args: ["-e", "console.error('boom: no config'); process.exit(3)"], readyUrl: `http://127.0.0.1:${await freePort()}/` })).rejects.toThrow(
      /bad exited before it was ready \(see .*bad\.log\)/,
    );
    await sup.stopAll();
    expect(readFileSync(join(dir, "logs2", "bad.log"), "utf8")).toContain("boom: no config");
  });

  it("children of a launcher that is SIGKILLed, a real relaywatch analyzer among them, exit by themselves: no orphans", async () => {
    const ports = [await freePort(), await freePort()];
    const parent = spawn(process.execPath, ["--import", "tsx", PARENT, ...ports.map(String)], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ANALYZER_PORT: String(await freePort()) } });
    const lines = createInterface({ input: parent.stdout });
    const first = await new Promise<string>((resolve) => lines.once("line", resolve));
    const pids = JSON.parse(first) as number[];
    expect(pids.every(isAlive)).toBe(true);
    parent.kill("SIGKILL");
    expect(await waitFor(() => pids.every((p) => !isAlive(p)), 5000)).toBe(true);
  });
});
