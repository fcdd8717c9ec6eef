// What the action panel shows (tui/components/ActionPanel.tsx), as styled lines: the plan
// (what will happen, region by region, and how it will be verified) with its confirmation
// keys, then the calls' results and the verification as the analyzer reports it.
import type { ActionPlan, ActionRecord } from "../../core/actions.js";
import { clipLine, seg, type Line } from "./text.js";
import type { ActionPanel } from "./action-panel.js";

export function actionPanelLines(p: Exclude<ActionPanel, { kind: "none" }>, width: number): Line[] {
  const lines = body(p);
  return lines.map((l) => clipLine(l, width));
}

function body(p: Exclude<ActionPanel, { kind: "none" }>): Line[] {
  switch (p.kind) {
    case "choose":
      return [
        [seg(`Mitigate ${p.title}`, { bold: true })],
        ...p.choices.map((c, i): Line => [seg(`${i === p.index ? "▶" : " "} ${i + 1}. ${c.label}`, i === p.index ? { bold: true } : {})]),
        keys([["1-9/Enter", "choose"], ["Esc", "cancel"]]),
      ];
    case "planning": return [[seg(`planning ${p.request.kind}…`, { dim: true })]];
    case "confirm":
      return [
        ...planLines(p.plan),
        [],
        p.enabled ? keys([["y", "run it"], ["n/Esc", "cancel"]]) : [seg("actions are off: the analyzer has no SFU admin token (RELAYWATCH_ADMIN_TOKEN)", { colour: "red" })],
      ];
    case "running": return [...planLines(p.plan), [], [seg("running…", { colour: "yellow", bold: true })]];
    case "result": return [...planLines(p.plan), [], ...resultLines(p.action), [], keys([["Esc/Enter", "close"]])];
    case "error": return [[seg(p.message, { colour: "red" })], keys([["Esc", "close"]])];
  }
}

function planLines(plan: ActionPlan): Line[] {
  const verify = [...plan.verify.alerts.map((a) => `${a.name} resolves`), ...(plan.verify.regions.length === 0 ? [] : [`pairs ${plan.verify.pairs === "into" ? "into" : "in/out of"} ${plan.verify.regions.join(", ")} ok`])];
  return [
    [seg(`Action ${plan.kind} ${plan.target}`, { bold: true })],
    [seg(plan.summary)],
    ...plan.steps.map((s, i): Line => [seg(`  ${i + 1}. ${s.says}`), seg(`  ${s.method} ${s.path}`, { dim: true })]),
    [seg("  verify: ", { dim: true }), seg(verify.length === 0 ? "nothing to verify" : verify.join("; "))],
  ];
}

const STATE_COLOUR = { running: "yellow", verifying: "yellow", verified: "green", done: "green", failed: "red", unverified: "red" } as const;

function resultLines(a: ActionRecord): Line[] {
  return [
    [seg("Result: ", { bold: true }), seg(a.state.toUpperCase(), { bold: true, colour: STATE_COLOUR[a.state] }), seg(`  by ${a.actor}`, { dim: true })],
    ...a.steps.map((s): Line => [seg(s.ok ? "  ✓ " : "  ✗ ", { colour: s.ok ? "green" : "red" }), seg(s.says), seg(s.ok ? "" : `  HTTP ${s.status} ${s.detail}`, { colour: "red" })]),
    ...(a.verification === "" ? [] : [[seg("  "), seg(a.verification)] as Line]),
  ];
}

function keys(pairs: readonly (readonly [string, string])[]): Line {
  return pairs.flatMap(([k, what]) => [seg(k, { bold: true, colour: "cyan" }), seg(` ${what}  `, { dim: true })]);
}
