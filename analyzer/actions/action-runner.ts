// Runs on-call actions (issue 18): plans the request (plan.ts), performs its calls on the
// regions' admin APIs in order (admin-client.ts), records every state change (running →
// failed | verifying → verified | unverified, or done when there is nothing to verify) with
// who and when through `record` (the store's actions table), and verifies the effect on
// the engine once a second until VERIFY_TIMEOUT_MS. Refused when no admin token is
// configured: the SFU's admin API is off without one, and so are actions.
import { randomUUID } from "node:crypto";
import type { ActionBody, ActionPlan, ActionRecord, ActionRequest } from "../../core/actions.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region } from "../../core/region.js";
import type { FetchFn } from "../alerts/http-sinks.js";
import type { AnalyzerEngine } from "../engine.js";
import { callAdmin } from "./admin-client.js";
import { planView, verifyView } from "./engine-view.js";
import { planAction, verification, type PlanResult } from "./plan.js";

/**
 * 90 s to see the effect: a loop's alert keeps firing 5 s after it is gone, a pair alert
 * needs 2 of 3 good 1 s windows, and a fresh probe track (rotation, 30 s by default) must
 * set up its relays through the repaired regions — 90 s covers that twice and then some.
 */
export const VERIFY_TIMEOUT_MS = 90_000;
/** 1 s: the engine's sweep interval; checking more often sees nothing new. */
export const VERIFY_INTERVAL_MS = 1_000;
/** The last 200 actions are served from memory (GET /v1/actions); the store keeps them all. */
const KEEP_IN_MEMORY = 200;

export interface ActionRunnerOptions {
  engine: AnalyzerEngine;
  configured: readonly Region[];
  regionUrl: (region: Region) => string | undefined;
  /** The SFU admin token; undefined: actions are refused. */
  adminToken: string | undefined;
  fetch: FetchFn;
  clock: Clock;
  logger: Logger;
  /** Persists one state change of an action (a row of the actions table). */
  record: (action: ActionRecord, ts: number) => void;
  verifyTimeoutMs?: number;
}

export type RunOutcome = { ok: true; action: ActionRecord } | { ok: false; status: number; error: string; detail: string };

export class ActionRunner {
  private readonly o: ActionRunnerOptions;
  private readonly actions = new Map<string, ActionRecord>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(options: ActionRunnerOptions) {
    this.o = options;
  }

  get enabled(): boolean {
    return this.o.adminToken !== undefined;
  }

  plan(req: ActionRequest): PlanResult {
    return planAction(req, planView(this.o.engine, this.o.configured));
  }

  /** Oldest request first (the map itself is in order of last change: save() moves an action to the end). */
  list(): ActionRecord[] {
    return [...this.actions.values()].sort((a, b) => a.requestedAt - b.requestedAt);
  }

  get(id: string): ActionRecord | undefined {
    return this.actions.get(id);
  }

  /** Plans and runs; resolves once the calls are made (verification goes on in the background). */
  async run(body: ActionBody): Promise<RunOutcome> {
    const token = this.o.adminToken;
    if (token === undefined) return { ok: false, status: 503, error: "actions_disabled", detail: "no SFU admin token is configured (RELAYWATCH_ADMIN_TOKEN): actions are off" };
    if (this.closed) return { ok: false, status: 503, error: "closing", detail: "the analyzer is closing" };
    const planned = this.plan(body.request);
    if (!planned.ok) return { ok: false, status: 409, error: "not_applicable", detail: planned.error };
    const { plan } = planned;
    const now = this.o.clock.now();
    let a: ActionRecord = {
      id: randomUUID(), kind: plan.kind, target: plan.target, actor: body.actor, summary: plan.summary, state: "running",
      requestedAt: now, finishedAt: null, verifiedAt: null, steps: [], verification: "", alerts: plan.verify.alerts.map((x) => x.fingerprint),
    };
    this.save(a);
    this.o.logger.info({ id: a.id, kind: a.kind, target: a.target, actor: a.actor }, "run() | action started");
    for (const step of plan.steps) {
      const url = this.o.regionUrl(step.region);
      const result = url === undefined
        ? { region: step.region, says: step.says, ok: false, status: 0, detail: "no URL configured for this region" }
        : await callAdmin(step, url, token, this.o.fetch);
      a = { ...a, steps: [...a.steps, result] };
      if (!result.ok) break;
    }
    const failed = a.steps.some((s) => !s.ok);
    const nothingToVerify = plan.verify.alerts.length === 0 && plan.verify.regions.length === 0;
    const at = this.o.clock.now();
    a = { ...a, finishedAt: at, state: failed ? "failed" : nothingToVerify ? "done" : "verifying", verification: failed ? "a call failed: nothing verified" : "" };
    this.save(a);
    this.o.logger.info({ id: a.id, state: a.state }, "run() | action calls made");
    if (a.state === "verifying") this.verify(a.id, plan);
    return { ok: true, action: a };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  private verify(id: string, plan: ActionPlan): void {
    const deadline = this.o.clock.now() + (this.o.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS);
    const timer = this.o.clock.setInterval(() => {
      const a = this.actions.get(id);
      if (a === undefined) return;
      const now = this.o.clock.now();
      const v = verification(plan, verifyView(this.o.engine));
      if (v.verified) this.finish(timer, { ...a, state: "verified", verifiedAt: now, verification: v.detail });
      else if (now >= deadline) this.finish(timer, { ...a, state: "unverified", verification: `not verified within ${Math.round((this.o.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS) / 1000)} s: ${v.detail}` });
      else if (v.detail !== a.verification) this.actions.set(id, { ...a, verification: v.detail });
    }, VERIFY_INTERVAL_MS);
    this.timers.add(timer);
  }

  private finish(timer: TimerHandle, a: ActionRecord): void {
    timer.cancel();
    this.timers.delete(timer);
    this.save(a);
    this.o.logger.info({ id: a.id, state: a.state, verification: a.verification }, "verify() | action settled");
  }

  private save(a: ActionRecord): void {
    this.actions.delete(a.id);
    this.actions.set(a.id, a);
    if (this.actions.size > KEEP_IN_MEMORY) {
      const oldest = this.actions.keys().next().value;
      if (oldest !== undefined) this.actions.delete(oldest);
    }
    this.o.record(a, this.o.clock.now());
  }
}
