// On-call actions through the analyzer (POST /v1/actions) on real region nodes: the
// incident's EU loop forms; the plan says what a loop-break will do; run (confirmed), it
// turns the loop guard back on and resets both regions' relays through their admin APIs,
// and the action is verified once the analyzer's RelayLoop resolves. Without an admin
// token actions are refused, and an unconfirmed one never runs.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { actionPlanSchema, actionRecordSchema, type ActionRecord } from "../../core/actions.js";
import { parseConfig } from "../../core/config.js";
import { Analyzer } from "../../analyzer/analyzer.js";
import { REFERENCE_ENGINE, labScope, publish, subscribe, trackIn, waitFor, waitForMesh } from "../sfu/sfu-kit.js";
import { runCli } from "../support/run-cli.js";

const LATENCY: Record<string, number> = { "eu-central|eu-west": 2, "eu-central|us-west": 40, "eu-west|us-west": 45 };
const latencyMs = (x: string, y: string): number => LATENCY[[x, y].sort().join("|")] ?? 40;
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const EU = ["eu-central", "eu-west"] as const;
const TRACK = "probe/us-west";

describe("analyzer actions on real region nodes", () => {
  const scope = labScope();

  it("loop-break: planned, confirmed, run on both EU regions' admin APIs, verified when RelayLoop resolves", async () => {
    const lab = await scope.start({
      engine: REFERENCE_ENGINE,
      regions: ["us-west", ...EU],
      wan: { latencyMs },
      node: (region) => ({ admin: { enabled: true, token: ADMIN_TOKEN }, settleMs: 600, subscribeTimeoutMs: 6000, ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }) }),
    });
    await waitForMesh(lab);
    const config = parseConfig({ regions: ["us-west", ...EU].map((r) => ({ name: r, url: lab.node(r).url })), analyzer: { listen: "127.0.0.1:0" } });
    const analyzer = await Analyzer.start({ config, registry: new Registry(), adminToken: ADMIN_TOKEN });
    scope.defer(analyzer);
    const off = await Analyzer.start({ config, registry: new Registry() });
    scope.defer(off);
    await waitFor(() => [...analyzer.engine.regions.all()].every((r) => r.connected), 5000, "analyzer connected to all regions");

    const origin = await publish(lab.node("us-west"), TRACK);
    scope.defer(origin);
    scope.defer(origin.stream(100));
    const pending = EU.map((r) => subscribe(lab.node(r), TRACK));
    for (const p of pending) p.catch(() => undefined);
    await waitFor(() => analyzer.engine.book.firing().some((a) => a.name === "RelayLoop"), 5000, "RelayLoop firing");

    const post = (url: string, path: string, body: unknown): Promise<Response> => fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const request = { kind: "loop-break", regions: [...EU] };
    const planned = await post(analyzer.url, "/v1/actions/plan", { request });
    expect(planned.status).toBe(200);
    const plan = actionPlanSchema.parse(((await planned.json()) as { plan: unknown }).plan);
    expect(plan.steps.map((s) => `${s.region} ${s.path}`)).toEqual(["eu-central /admin/behaviours", "eu-west /admin/behaviours", "eu-central /admin/relays/reset", "eu-west /admin/relays/reset"]);

    expect((await post(analyzer.url, "/v1/actions", { request, actor: "oncall" })).status).toBe(400);
    const refused = await post(off.url, "/v1/actions", { request, actor: "oncall", confirmed: true });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe("actions_disabled");

    const ran = await post(analyzer.url, "/v1/actions", { request, actor: "oncall", confirmed: true });
    expect(ran.status).toBe(201);
    const action = actionRecordSchema.parse(((await ran.json()) as { action: unknown }).action);
    expect(action).toMatchObject({ kind: "loop-break", target: "eu-central,eu-west", actor: "oncall", state: "verifying" });
    expect(action.steps.every((s) => s.ok)).toBe(true);
    const latest = async (): Promise<ActionRecord> => actionRecordSchema.parse(await (await fetch(`${analyzer.url}/v1/actions/${action.id}`)).json());
    await waitFor(async () => (await latest()).state === "verified", 20_000, "the action verified");
    expect((await latest()).verification).toContain("RelayLoop resolved");
    const [ec, ew] = await Promise.all(EU.map((r) => trackIn(lab.node(r), TRACK)));
    expect([ec?.upstream, ew?.upstream]).toEqual(["us-west", "us-west"]);
    for (const s of await Promise.all(pending)) scope.defer(s);
    expect(lab.node("eu-central").behaviours.has("no-loop-guard")).toBe(false);

    // The same from the shell: without a terminal to confirm at, nothing runs unless --yes.
    const unconfirmed = await runCli(["action", "drain", "eu-west", "--analyzer", analyzer.url]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain("drain eu-west: drain eu-west");
    expect(unconfirmed.stderr).toContain("--yes");
    const cli = await runCli(["action", "behaviours", "eu-west", "--analyzer", analyzer.url, "--yes", "--json", "--actor", "cli-test"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain("eu-west: behaviours announce-early → (defaults)");
    expect(actionRecordSchema.parse(JSON.parse(cli.stdout))).toMatchObject({ kind: "behaviours", actor: "cli-test", state: "done" });
    expect(lab.node("eu-west").behaviours.size).toBe(0);
  });
});
