// The analyzer's actions API as the CLI and the TUI call it (analyzer/actions/routes.ts):
// plan a request, run it once confirmed, follow its verification. Expected failures come
// back as values with the analyzer's own words; only a broken transport throws.
import { actionPlanSchema, actionRecordSchema, type ActionPlan, type ActionRecord, type ActionRequest } from "./actions.js";

export interface ActionsClientOptions {
  /** The analyzer's base URL. */
  url: string;
  token?: string | undefined;
  fetch: typeof fetch;
}

export type ClientResult<T> = { ok: true; value: T } | { ok: false; error: string };

export class ActionsClient {
  private readonly o: ActionsClientOptions;

  constructor(options: ActionsClientOptions) {
    this.o = options;
  }

  /** What the request would do, nothing run; `enabled` false: the analyzer has no admin token. */
  async plan(request: ActionRequest): Promise<ClientResult<{ plan: ActionPlan; enabled: boolean }>> {
    const r = await this.call("POST", "/v1/actions/plan", { request });
    if (!r.ok) return r;
    const body = r.value as { plan?: unknown; enabled?: unknown };
    return { ok: true, value: { plan: actionPlanSchema.parse(body.plan), enabled: body.enabled === true } };
  }

  /** Runs a confirmed request; resolves once the calls are made (the record says how they went). */
  async run(request: ActionRequest, actor: string): Promise<ClientResult<ActionRecord>> {
    const r = await this.call("POST", "/v1/actions", { request, actor, confirmed: true });
    return r.ok ? { ok: true, value: actionRecordSchema.parse((r.value as { action?: unknown }).action) } : r;
  }

  async get(id: string): Promise<ClientResult<ActionRecord>> {
    const r = await this.call("GET", `/v1/actions/${encodeURIComponent(id)}`);
    return r.ok ? { ok: true, value: actionRecordSchema.parse(r.value) } : r;
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<ClientResult<unknown>> {
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    if (this.o.token !== undefined) headers["authorization"] = `Bearer ${this.o.token}`;
    const res = await this.o.fetch(`${this.o.url.replace(/\/+$/, "")}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) return { ok: true, value: json };
    const e = json as { error?: unknown; detail?: unknown } | null;
    return { ok: false, error: `HTTP ${res.status}${typeof e?.error === "string" ? ` ${e.error}` : ""}${typeof e?.detail === "string" ? `: ${e.detail}` : ""}` };
  }
}

/** True once an action has settled (nothing more will change). */
export function actionSettled(a: ActionRecord): boolean {
  return a.state !== "running" && a.state !== "verifying";
}
