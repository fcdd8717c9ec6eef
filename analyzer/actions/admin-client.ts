// One call of an action's plan on a region's admin API (sfu/http/admin-routes.ts), with
// the admin bearer token. Never throws: the outcome is a StepResult, recorded as is.
import type { ActionStep, StepResult } from "../../core/actions.js";
import { errorMessage } from "../../core/errors.js";
import type { FetchFn } from "../alerts/http-sinks.js";

/** 5 s per call: the admin calls answer at once (a reset or override is one machine step); a region that does not answer in 5 s is failing. */
export const ADMIN_CALL_TIMEOUT_MS = 5_000;

/** 300 characters of the answer in the record: enough for the admin API's JSON, bounded for the store. */
const DETAIL_MAX = 300;

export async function callAdmin(step: ActionStep, baseUrl: string, token: string, fetchFn: FetchFn): Promise<StepResult> {
  const base = { region: step.region, says: step.says };
  try {
    const res = await fetchFn(`${baseUrl.replace(/\/+$/, "")}${step.path}`, {
      method: step.method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(step.body ?? {}),
      signal: AbortSignal.timeout(ADMIN_CALL_TIMEOUT_MS),
    });
    const text = (await res.text()).slice(0, DETAIL_MAX);
    return { ...base, ok: res.ok, status: res.status, detail: text };
  } catch (err) {
    return { ...base, ok: false, status: 0, detail: errorMessage(err).slice(0, DETAIL_MAX) };
  }
}
