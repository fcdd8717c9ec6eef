import { describe, expect, it } from "vitest";
import type { ActionPlan, ActionRecord } from "../../core/actions.js";
import type { Alert } from "../../core/alert.js";
import { lineText } from "./text.js";
import { actionPanelLines } from "./action-lines.js";
import { choicesForAlert, choicesForRegion, NO_PANEL, openPanel, panelKey } from "./action-panel.js";

const alert = (name: Alert["name"], labels: Record<string, string>): Alert => ({ fingerprint: "f", name, state: "firing", severity: "critical", labels, summary: "", evidence: {}, startsAt: 0, endsAt: null, updatedAt: 0 });
const PLAN: ActionPlan = {
  kind: "loop-break", target: "eu-central,eu-west", summary: "break the relay loop eu-central ⇄ eu-west",
  steps: [{ region: "eu-central", method: "POST", path: "/admin/relays/reset", body: {}, says: "eu-central: drop its relay of probe/x and re-locate from the origin (us-west)" }],
  verify: { alerts: [{ fingerprint: "f", name: "RelayLoop" }], regions: ["eu-central", "eu-west"], pairs: "into" },
};

describe("action panel", () => {
  it("a RelayLoop opens straight into planning its loop-break; a FalseIsolation its override; other alerts have none", () => {
    const loop = openPanel("RelayLoop", choicesForAlert(alert("RelayLoop", { regions: "eu-central,eu-west" })));
    expect(loop.effect).toEqual({ kind: "plan", request: { kind: "loop-break", regions: ["eu-central", "eu-west"] } });
    expect(choicesForAlert(alert("FalseIsolation", { region: "us-east" }))[0]?.request).toEqual({ kind: "override-isolation", region: "us-east" });
    expect(openPanel("StaleRelay", choicesForAlert(alert("StaleRelay", {}))).panel.kind).toBe("error");
  });

  it("a region offers three choices; a digit or Enter picks one and plans it", () => {
    const { panel } = openPanel("us-east", choicesForRegion("us-east"));
    expect(panel.kind).toBe("choose");
    const down = panelKey(panel, "j", {});
    expect(down.panel.kind === "choose" && down.panel.index).toBe(1);
    expect(panelKey(down.panel, "", { return: true }).effect).toEqual({ kind: "plan", request: { kind: "behaviours", region: "us-east", set: [] } });
    expect(panelKey(panel, "3", {}).effect).toEqual({ kind: "plan", request: { kind: "drain", region: "us-east" } });
    expect(panelKey(panel, "", { escape: true }).panel).toEqual(NO_PANEL);
  });

  it("runs only on y (or Enter) after the plan is shown, never when actions are off; n or Esc cancels", () => {
    const request = { kind: "loop-break" as const, regions: ["eu-central", "eu-west"] };
    const confirm = { kind: "confirm" as const, request, plan: PLAN, enabled: true };
    expect(panelKey(confirm, "y", {})).toEqual({ panel: { kind: "running", plan: PLAN }, effect: { kind: "run", request, plan: PLAN } });
    expect(panelKey(confirm, "x", {}).effect).toBeNull();
    expect(panelKey(confirm, "n", {}).panel).toEqual(NO_PANEL);
    expect(panelKey({ ...confirm, enabled: false }, "y", {}).effect).toBeNull();
    expect(panelKey({ kind: "running", plan: PLAN }, "", { escape: true }).panel.kind).toBe("running");
  });

  it("shows the plan with its keys, then the result and its verification", () => {
    const request = { kind: "loop-break" as const, regions: ["eu-central", "eu-west"] };
    const text = actionPanelLines({ kind: "confirm", request, plan: PLAN, enabled: true }, 200).map(lineText).join("\n");
    expect(text).toContain("Action loop-break eu-central,eu-west");
    expect(text).toContain("1. eu-central: drop its relay of probe/x and re-locate from the origin (us-west)");
    expect(text).toContain("verify: RelayLoop resolves; pairs into eu-central, eu-west ok");
    expect(text).toContain("y run it");
    const action: ActionRecord = { id: "a", kind: "loop-break", target: PLAN.target, actor: "oncall", summary: PLAN.summary, state: "verified", requestedAt: 0, finishedAt: 1, verifiedAt: 2, steps: [{ region: "eu-central", says: "reset", ok: true, status: 200, detail: "" }], verification: "RelayLoop resolved; 6/6 pairs ok", alerts: ["f"] };
    const result = actionPanelLines({ kind: "result", plan: PLAN, action }, 200).map(lineText).join("\n");
    expect(result).toContain("Result: VERIFIED  by oncall");
    expect(result).toContain("RelayLoop resolved; 6/6 pairs ok");
  });
});
