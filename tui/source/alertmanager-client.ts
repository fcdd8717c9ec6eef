// Alertmanager API v2 silences, as on-call uses them from the TUI: create one
// (`POST /api/v2/silences`), list them (`GET /api/v2/silences`), expire one
// (`DELETE /api/v2/silence/{id}`). Every answer is parsed with zod; failures come back as
// values with a sentence for the screen (the TUI shows them, it never throws at the user).
// fetch is injected.
import { z } from "zod";
import { errorMessage } from "../../core/errors.js";
import type { FetchLike } from "./live-source.js";

/** 5 s: Alertmanager answers silences from memory; longer means it is not answering. */
export const ALERTMANAGER_TIMEOUT_MS = 5_000;

export const silenceMatcherSchema = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  /** Absent in Alertmanager < 0.22 answers: equality. */
  isEqual: z.boolean().optional(),
});
export type SilenceMatcher = z.infer<typeof silenceMatcherSchema>;

export const silenceSchema = z.object({
  id: z.string(),
  matchers: z.array(silenceMatcherSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  status: z.object({ state: z.enum(["active", "pending", "expired"]) }),
});
export type Silence = z.infer<typeof silenceSchema>;

export interface NewSilence {
  matchers: readonly SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export type OpResult<T> = { ok: true; value: T } | { ok: false; error: string };

export class AlertmanagerClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  private readonly fetchFn: FetchLike;

  constructor(url: string, fetchFn: FetchLike) {
    this.url = url.replace(/\/+$/, "");
    this.fetchFn = fetchFn;
  }

  /** Creates a silence; its id on success. */
  async createSilence(s: NewSilence): Promise<OpResult<string>> {
    const body = { matchers: s.matchers, startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString(), createdBy: s.createdBy, comment: s.comment };
    const res = await this.request("POST", "/api/v2/silences", body);
    if (!res.ok) return res;
    const parsed = z.object({ silenceID: z.string() }).safeParse(res.value);
    return parsed.success ? { ok: true, value: parsed.data.silenceID } : { ok: false, error: "Alertmanager answered without a silence id" };
  }

  /** Every silence Alertmanager holds (active, pending and recently expired). */
  async listSilences(): Promise<OpResult<Silence[]>> {
    const res = await this.request("GET", "/api/v2/silences");
    if (!res.ok) return res;
    const parsed = z.array(silenceSchema).safeParse(res.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `Alertmanager's silences do not parse: ${parsed.error.issues[0]?.message ?? ""}` };
  }

  /** Expires a silence now (its alerts notify again at the next group interval). */
  async expireSilence(id: string): Promise<OpResult<null>> {
    const res = await this.request("DELETE", `/api/v2/silence/${encodeURIComponent(id)}`);
    return res.ok ? { ok: true, value: null } : res;
  }

  private async request(method: string, path: string, body?: unknown): Promise<OpResult<unknown>> {
    const where = `${method} ${this.url}${path}`;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, error: `${where}: ${errorMessage(err)}` };
    }
    const text = await res.text().catch(() => "");
    if (!res.ok) return { ok: false, error: `${where} → ${res.status} ${text.trim().slice(0, 200)}` };
    if (text === "") return { ok: true, value: null };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, error: `${where}: the answer is not JSON` };
    }
  }
}
