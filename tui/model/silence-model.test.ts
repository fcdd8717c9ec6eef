import { describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import type { Silence } from "../source/alertmanager-client.js";
import { editSilenceForm, MAX_SILENCE_MS, newSilenceForm, silenceMatchers, silenceMatches, sortSilences, type FormStep, type SilenceForm } from "./silence-model.js";

const alert: Alert = { fingerprint: "f", name: "ProbePairFailing", state: "firing", severity: "warning", labels: { src: "us-west", dst: "eu-central", severity: "warning" }, summary: "s", evidence: {}, startsAt: 0, endsAt: null, updatedAt: 0 };

function typed(form: SilenceForm, text: string): SilenceForm {
  let f = form;
  for (const ch of text) {
    const step = editSilenceForm(f, ch, {}, 0);
    if (step.kind !== "edit") throw new Error(`typing ${ch} gave ${step.kind}`);
    f = step.form;
  }
  return f;
}

describe("silence model", () => {
  it("silenceMatchers(): the alert name and its identifying labels by equality, never severity (a warning raised to critical stays silenced)", () => {
    expect(silenceMatchers(alert)).toEqual([
      { name: "alertname", value: "ProbePairFailing", isRegex: false, isEqual: true },
      { name: "dst", value: "eu-central", isRegex: false, isEqual: true },
      { name: "src", value: "us-west", isRegex: false, isEqual: true },
    ]);
    const silence = { id: "1", matchers: silenceMatchers(alert), startsAt: "", endsAt: "", createdBy: "a", comment: "c", status: { state: "active" } } satisfies Silence;
    expect(silenceMatches(silence, { ...alert, severity: "critical", labels: { ...alert.labels, severity: "critical" } })).toBe(true);
    expect(silenceMatches(silence, { ...alert, labels: { ...alert.labels, dst: "eu-west" } })).toBe(false);
    expect(silenceMatches({ ...silence, matchers: [{ name: "src", value: "us-.*", isRegex: true, isEqual: false }] }, alert)).toBe(false);
  });

  it("the form: types into the active field, Tab switches, Enter needs a duration up to 7d and a comment, Esc cancels", () => {
    let f = typed({ ...newSilenceForm(), duration: "" }, "2h");
    expect(f.duration).toBe("2h");
    const tab = editSilenceForm(f, "", { tab: true }, 0) as Extract<FormStep, { kind: "edit" }>;
    f = tab.form;
    expect(f.field).toBe("comment");
    expect(editSilenceForm(f, "", { return: true }, 0)).toMatchObject({ kind: "edit", form: { field: "comment", error: expect.stringContaining("comment") as string } });
    f = typed(f, "q is typed, not quit");
    expect(f.comment).toBe("q is typed, not quit");
    expect(editSilenceForm(f, "", { return: true }, 1000)).toEqual({ kind: "submit", form: f, endsAt: 1000 + 2 * 3_600_000 });
    expect(editSilenceForm({ ...f, duration: "soon" }, "", { return: true }, 0)).toMatchObject({ kind: "edit", form: { field: "duration", error: expect.stringContaining('"soon"') as string } });
    expect(editSilenceForm({ ...f, duration: "8d" }, "", { return: true }, 0)).toMatchObject({ kind: "edit", form: { error: expect.stringContaining("7d") as string } });
    expect(MAX_SILENCE_MS).toBe(7 * 86_400_000);
    expect(editSilenceForm(f, "", { backspace: true }, 0)).toMatchObject({ form: { comment: "q is typed, not qui" } });
    expect(editSilenceForm(f, "", { escape: true }, 0)).toEqual({ kind: "cancel" });
  });

  it("sortSilences(): active and pending first, ending soonest first; expired after, latest first", () => {
    const s = (id: string, state: Silence["status"]["state"], endsAt: string): Silence => ({ id, matchers: [], startsAt: "", endsAt, createdBy: "", comment: "", status: { state } });
    const out = sortSilences([s("e1", "expired", "2026-01-01T00:00:00Z"), s("a2", "active", "2026-01-03T00:00:00Z"), s("e2", "expired", "2026-01-02T00:00:00Z"), s("a1", "active", "2026-01-02T00:00:00Z")]);
    expect(out.map((x) => x.id)).toEqual(["a1", "a2", "e2", "e1"]);
  });
});
