// The action panel (issue 18) as a pure state machine: which mitigation fits the selected
// alert or region, and how keys move the panel from a choice to the plan, its confirmation,
// the run and its verification. No I/O: the hook (tui/hooks/use-actions.ts) performs the
// effects the keys ask for (plan, run) through the analyzer's actions API.
import type { ActionPlan, ActionRecord, ActionRequest } from "../../core/actions.js";
import type { Alert } from "../../core/alert.js";

export interface ActionChoice {
  label: string;
  request: ActionRequest;
}

export type ActionPanel =
  | { kind: "none" }
  | { kind: "choose"; title: string; choices: ActionChoice[]; index: number }
  | { kind: "planning"; request: ActionRequest }
  | { kind: "confirm"; request: ActionRequest; plan: ActionPlan; enabled: boolean }
  | { kind: "running"; plan: ActionPlan }
  | { kind: "result"; plan: ActionPlan; action: ActionRecord }
  | { kind: "error"; message: string };

export const NO_PANEL: ActionPanel = { kind: "none" };

/** What the hook must do after a key. */
export type PanelEffect = { kind: "plan"; request: ActionRequest } | { kind: "run"; request: ActionRequest; plan: ActionPlan };

export interface PanelKey {
  escape?: boolean;
  return?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
}

/** The mitigations that fit an alert: a loop is broken, a (falsely) isolated region brought back. */
export function choicesForAlert(a: Alert): ActionChoice[] {
  const region = a.labels["region"];
  const regions = a.labels["regions"];
  if (a.name === "RelayLoop" && regions !== undefined) {
    return [{ label: `break the loop ${regions.split(",").join(" ⇄ ")}`, request: { kind: "loop-break", regions: regions.split(",") } }];
  }
  if ((a.name === "FalseIsolation" || a.name === "RegionOffline") && region !== undefined) {
    return [{ label: `bring ${region} back online (override its isolation)`, request: { kind: "override-isolation", region } }];
  }
  return [];
}

/** The mitigations on a region: override its isolation, behaviours back to the defaults, drain. */
export function choicesForRegion(region: string): ActionChoice[] {
  return [
    { label: `bring ${region} back online (override its isolation)`, request: { kind: "override-isolation", region } },
    { label: `${region}: legacy behaviours back to the defaults`, request: { kind: "behaviours", region, set: [] } },
    { label: `drain ${region} (end every session there)`, request: { kind: "drain", region } },
  ];
}

/** Opens the panel: straight to planning when one action fits, a choice when several do, nothing when none. */
export function openPanel(title: string, choices: readonly ActionChoice[]): { panel: ActionPanel; effect: PanelEffect | null } {
  const [only] = choices;
  if (only === undefined) return { panel: { kind: "error", message: `no mitigation for ${title}` }, effect: null };
  if (choices.length === 1) return { panel: { kind: "planning", request: only.request }, effect: { kind: "plan", request: only.request } };
  return { panel: { kind: "choose", title, choices: [...choices], index: 0 }, effect: null };
}

/** A key while the panel is open: Esc (or n) closes it, y/Enter confirms, arrows or digits choose. */
export function panelKey(p: ActionPanel, input: string, key: PanelKey): { panel: ActionPanel; effect: PanelEffect | null } {
  const stay = { panel: p, effect: null };
  const close = key.escape === true || input === "q";
  switch (p.kind) {
    case "none": return stay;
    case "choose": {
      if (close || input === "n") return { panel: NO_PANEL, effect: null };
      const digit = Number(input);
      const pick = Number.isInteger(digit) && digit >= 1 && digit <= p.choices.length ? digit - 1 : key.return === true ? p.index : null;
      const chosen = pick === null ? undefined : p.choices[pick];
      if (chosen !== undefined) return { panel: { kind: "planning", request: chosen.request }, effect: { kind: "plan", request: chosen.request } };
      const dy = key.upArrow === true || input === "k" ? -1 : key.downArrow === true || input === "j" ? 1 : 0;
      return { panel: { ...p, index: Math.max(0, Math.min(p.choices.length - 1, p.index + dy)) }, effect: null };
    }
    case "confirm": {
      if (close || input === "n") return { panel: NO_PANEL, effect: null };
      if ((input === "y" || key.return === true) && p.enabled) return { panel: { kind: "running", plan: p.plan }, effect: { kind: "run", request: p.request, plan: p.plan } };
      return stay;
    }
    // Nothing to cancel while the calls are out: the analyzer runs them to the end.
    case "planning":
    case "running": return stay;
    case "result":
    case "error": return close || key.return === true || input === "n" ? { panel: NO_PANEL, effect: null } : stay;
  }
}
