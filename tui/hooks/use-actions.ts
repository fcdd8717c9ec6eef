// The action panel as React state (issue 18): `M` on an alert or a region opens it with the
// mitigations that fit (tui/model/action-panel.ts); while open it takes every key. Plans and
// runs go through the analyzer's actions API (core/actions-client.ts); the result is
// followed once a second on the injected clock until its verification settles.
import { useInput } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import { actionSettled, type ActionsClient } from "../../core/actions-client.js";
import type { ActionRecord } from "../../core/actions.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { NO_PANEL, openPanel, panelKey, type ActionChoice, type ActionPanel, type PanelEffect } from "../model/action-panel.js";

/** The on-call actions a live dashboard can take (null in replay). */
export interface ActionOps {
  client: ActionsClient;
  /** Who runs them, for the record. */
  user: string;
}

export interface ActionsHandle {
  panel: ActionPanel;
  capturing: boolean;
  open(title: string, choices: readonly ActionChoice[]): void;
}

/** 1 s: the analyzer checks its verification once a second. */
const FOLLOW_MS = 1_000;

export function useActions(ops: ActionOps | null, clock: Clock): ActionsHandle {
  const [panel, setPanelState] = useState<ActionPanel>(NO_PANEL);
  const panelRef = useRef<ActionPanel>(NO_PANEL);
  const follow = useRef<TimerHandle | null>(null);
  const mounted = useRef(true);
  useEffect(() => () => {
    mounted.current = false;
    follow.current?.cancel();
  }, []);
  const run = useMemo(() => {
    const set = (p: ActionPanel): void => {
      panelRef.current = p;
      if (p.kind === "none") follow.current?.cancel();
      if (mounted.current) setPanelState(p);
    };
    /** Keeps the result on screen up to date until the action settles or the panel closes. */
    const track = (a: ActionRecord): void => {
      follow.current?.cancel();
      if (ops === null || actionSettled(a)) return;
      follow.current = clock.setInterval(() => {
        void ops.client.get(a.id).then((res) => {
          const p = panelRef.current;
          if (!res.ok || p.kind !== "result" || p.action.id !== a.id) return;
          set({ ...p, action: res.value });
          if (actionSettled(res.value)) follow.current?.cancel();
        });
      }, FOLLOW_MS);
    };
    const perform = (e: PanelEffect | null): void => {
      if (e === null || ops === null) return;
      if (e.kind === "plan") {
        void ops.client.plan(e.request).then((res) => {
          if (panelRef.current.kind !== "planning") return;
          set(res.ok ? { kind: "confirm", request: e.request, plan: res.value.plan, enabled: res.value.enabled } : { kind: "error", message: `cannot plan ${e.request.kind}: ${res.error}` });
        }, (err: unknown) => { set({ kind: "error", message: String(err) }); });
        return;
      }
      void ops.client.run(e.request, ops.user).then((res) => {
        if (!res.ok) {
          set({ kind: "error", message: `${e.request.kind} refused: ${res.error}` });
          return;
        }
        set({ kind: "result", plan: e.plan, action: res.value });
        track(res.value);
      }, (err: unknown) => { set({ kind: "error", message: String(err) }); });
    };
    return { set, perform };
  }, [ops, clock]);
  useInput((input, k) => {
    const r = panelKey(panelRef.current, input, k);
    run.set(r.panel);
    run.perform(r.effect);
  }, { isActive: panel.kind !== "none" });
  return {
    panel,
    capturing: panel.kind !== "none",
    open: (title, choices) => {
      if (ops === null) {
        run.set({ kind: "error", message: "replay: actions need a live analyzer" });
        return;
      }
      const r = openPanel(title, choices);
      run.set(r.panel);
      run.perform(r.effect);
    },
  };
}
