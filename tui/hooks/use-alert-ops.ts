// The Alerts view's on-call operations as React state: `a` acknowledges the selected alert,
// `s` opens the silence form for it, `S` the list of silences (`x` expires the selected
// one). While the form or the list is open it takes every key (the dashboard's own bindings
// are paused: typing "q" in a comment must not quit). The I/O goes through AlertOps; its
// outcome is shown as a one-line notice.
import { useInput, type Key } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Alert } from "../../core/alert.js";
import type { Clock } from "../../core/clock.js";
import { formatClock } from "../model/format.js";
import { editSilenceForm, newSilenceForm, silenceMatchers, sortSilences, type SilenceForm } from "../model/silence-model.js";
import type { AlertmanagerClient, Silence } from "../source/alertmanager-client.js";
import type { AlertOps } from "../source/alertmanager-ops.js";

export type OpsPanel =
  | { kind: "none" }
  | { kind: "form"; alert: Alert; form: SilenceForm; busy: boolean }
  | { kind: "list"; silences: Silence[] | null; index: number; error: string | null; busy: boolean };

export interface Notice {
  text: string;
  error: boolean;
}

export interface AlertOpsHandle {
  panel: OpsPanel;
  notice: Notice | null;
  /** A panel is open and takes every key. */
  capturing: boolean;
  /** An Alerts-view key (a, s, S) for the selected alert; true when it was taken. */
  key(input: string, alert: Alert | undefined): boolean;
}

const NONE: OpsPanel = { kind: "none" };

/** What the key handlers act through (the hook's state setters and the I/O). */
interface Ctx {
  ops: AlertOps | null;
  clock: Clock;
  panel(): OpsPanel;
  setPanel(p: OpsPanel): void;
  say(text: string, error?: boolean): void;
  loadSilences(index: number): Promise<void>;
}

export function useAlertOps(ops: AlertOps | null, clock: Clock): AlertOpsHandle {
  const [panel, setPanelState] = useState<OpsPanel>(NONE);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Keys can arrive faster than renders: each reads the panel the previous one left.
  const panelRef = useRef<OpsPanel>(NONE);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  const ctx = useMemo<Ctx>(() => {
    const c: Ctx = {
      ops,
      clock,
      panel: () => panelRef.current,
      setPanel: (p) => {
        panelRef.current = p;
        if (mounted.current) setPanelState(p);
      },
      say: (text, error = false) => {
        if (mounted.current) setNotice({ text, error });
      },
      loadSilences: (index) => loadSilences(c, index),
    };
    return c;
  }, [ops, clock]);
  useInput((input, k) => { panelKey(ctx, input, k); }, { isActive: panel.kind !== "none" });
  return { panel, notice, capturing: panel.kind !== "none", key: (input, alert) => alertKey(ctx, input, alert) };
}

async function loadSilences(c: Ctx, index: number): Promise<void> {
  const am = c.ops?.alertmanager;
  if (am == null) return;
  const res = await am.listSilences();
  const p = c.panel();
  if (p.kind !== "list") return;
  c.setPanel(res.ok ? { kind: "list", silences: sortSilences(res.value), index: Math.min(index, Math.max(0, res.value.length - 1)), error: null, busy: false } : { ...p, error: res.error, busy: false });
}

/** a, s, S on the selected alert. */
function alertKey(c: Ctx, input: string, alert: Alert | undefined): boolean {
  if (input !== "a" && input !== "s" && input !== "S") return false;
  const { ops } = c;
  if (ops === null) {
    c.say("replay: acknowledging and silencing need a live analyzer", true);
    return true;
  }
  if ((input === "S" || input === "s") && ops.alertmanager === null) {
    c.say("no Alertmanager: start the TUI with --alertmanager URL to silence", true);
    return true;
  }
  if (input === "S") {
    c.setPanel({ kind: "list", silences: null, index: 0, error: null, busy: true });
    void c.loadSilences(0);
    return true;
  }
  if (alert === undefined) return true;
  if (alert.state !== "firing") {
    c.say(`${alert.name} is resolved: nothing to ${input === "a" ? "acknowledge" : "silence"}`, true);
    return true;
  }
  if (input === "s") {
    c.setPanel({ kind: "form", alert, form: newSilenceForm(), busy: false });
    return true;
  }
  c.say(`acknowledging ${alert.name}…`);
  void ops.acknowledge(alert).then((res) => { c.say(res.ok ? `${alert.name} acknowledged: owned by ${ops.user}` : res.error, !res.ok); });
  return true;
}

/** Every key while the form or the list is open. */
function panelKey(c: Ctx, input: string, k: Key): void {
  const p = c.panel();
  const am = c.ops?.alertmanager;
  if (p.kind === "none" || am == null || c.ops === null) return;
  if (p.kind === "form") {
    if (!p.busy) formKey(c, am, c.ops.user, p, input, k);
    return;
  }
  const silences = p.silences ?? [];
  if (k.escape || input === "q" || input === "S") c.setPanel(NONE);
  else if (k.upArrow || input === "k") c.setPanel({ ...p, index: Math.max(0, p.index - 1) });
  else if (k.downArrow || input === "j") c.setPanel({ ...p, index: Math.min(Math.max(0, silences.length - 1), p.index + 1) });
  else if (input === "r") {
    c.setPanel({ ...p, busy: true });
    void c.loadSilences(p.index);
  } else if (input === "x") {
    const s = silences[p.index];
    if (s === undefined || s.status.state === "expired" || p.busy) return;
    c.setPanel({ ...p, busy: true });
    void am.expireSilence(s.id).then((res) => {
      c.say(res.ok ? `silence ${s.id.slice(0, 8)} expired: its alerts notify again` : res.error, !res.ok);
      return c.loadSilences(p.index);
    });
  }
}

function formKey(c: Ctx, am: AlertmanagerClient, user: string, p: Extract<OpsPanel, { kind: "form" }>, input: string, k: Key): void {
  const step = editSilenceForm(p.form, input, k, c.clock.now());
  if (step.kind === "cancel") c.setPanel(NONE);
  else if (step.kind === "edit") c.setPanel({ ...p, form: step.form });
  else {
    c.setPanel({ ...p, busy: true });
    const { alert } = p;
    void am.createSilence({ matchers: silenceMatchers(alert), startsAt: c.clock.now(), endsAt: step.endsAt, createdBy: user, comment: step.form.comment.trim() }).then((res) => {
      if (!res.ok) {
        c.setPanel({ kind: "form", alert, form: { ...step.form, error: res.error }, busy: false });
        return;
      }
      c.setPanel(NONE);
      c.say(`${alert.name} silenced until ${formatClock(step.endsAt)} (silence ${res.value.slice(0, 8)}; S lists silences)`);
    });
  }
}
