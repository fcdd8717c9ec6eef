// Silences and acknowledgements as data, for the Alerts view: the matchers a silence of an
// alert gets (its labels, as Alertmanager sees the analyzer's alert), the silence form as a
// pure reducer (duration, comment), and one line per silence for the list. No I/O.
import type { Alert } from "../../core/alert.js";
import { parseDuration } from "../../core/duration.js";
import type { Silence, SilenceMatcher } from "../source/alertmanager-client.js";
import { formatAge, formatClock, padRight, truncate } from "./format.js";
import type { KeyInfo } from "./ui-state.js";
import { seg, type Line } from "./text.js";

/** 1 h: long enough to work on a cause, short enough that a forgotten silence ends the same shift. */
export const DEFAULT_SILENCE_DURATION = "1h";
/**
 * 7 days: a silence longer than a week is a routing or rule change, not an on-call decision
 * (Alertmanager itself has no limit; amtool's default is 1 h).
 */
export const MAX_SILENCE_MS = 7 * 24 * 3_600_000;

/**
 * What a silence of `alert` matches: its name and every identifying label, by equality.
 * `severity` is left out on purpose: the analyzer raises a symptom's severity in place once it
 * outlasts the paging horizon, and a silence taken on the warning must still hold then.
 */
export function silenceMatchers(alert: Alert): SilenceMatcher[] {
  const labels = Object.entries(alert.labels).filter(([k]) => k !== "severity" && k !== "alertname").sort(([a], [b]) => a.localeCompare(b));
  return [{ name: "alertname", value: alert.name, isRegex: false, isEqual: true }, ...labels.map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }))];
}

/** Whether a silence's matchers all hold for this alert's labels (Alertmanager's rule). */
export function silenceMatches(s: Silence, alert: Alert): boolean {
  const labels: Record<string, string> = { ...alert.labels, alertname: alert.name };
  return s.matchers.every((m) => {
    const v = labels[m.name] ?? "";
    let hit: boolean;
    try {
      hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
    } catch {
      hit = false;
    }
    return m.isEqual === false ? !hit : hit;
  });
}

export interface SilenceForm {
  field: "duration" | "comment";
  duration: string;
  comment: string;
  error: string | null;
}

export const newSilenceForm = (): SilenceForm => ({ field: "duration", duration: DEFAULT_SILENCE_DURATION, comment: "", error: null });

export type FormStep = { kind: "edit"; form: SilenceForm } | { kind: "cancel" } | { kind: "submit"; form: SilenceForm; endsAt: number };

/**
 * One key in the form: Tab (or ↑↓) switches field, Backspace deletes, printable keys type,
 * Esc cancels, Enter submits once the duration parses and a comment is written (Alertmanager
 * requires one; it is what the next person reads).
 */
export function editSilenceForm(form: SilenceForm, input: string, key: KeyInfo, now: number): FormStep {
  if (key.escape === true) return { kind: "cancel" };
  if (key.tab === true || key.upArrow === true || key.downArrow === true) return { kind: "edit", form: { ...form, field: form.field === "duration" ? "comment" : "duration" } };
  if (key.return === true) {
    const ms = parseDuration(form.duration);
    if (ms === null || ms <= 0) return { kind: "edit", form: { ...form, field: "duration", error: `duration: "${form.duration}" is not a duration like 30m, 2h or 1d` } };
    if (ms > MAX_SILENCE_MS) return { kind: "edit", form: { ...form, field: "duration", error: "duration: at most 7d (longer is a routing change, not a silence)" } };
    if (form.comment.trim() === "") return { kind: "edit", form: { ...form, field: "comment", error: "comment: say why (the next person on call reads it)" } };
    return { kind: "submit", form, endsAt: now + ms };
  }
  const field = form.field;
  if (key.backspace === true || key.delete === true) return { kind: "edit", form: { ...form, [field]: form[field].slice(0, -1), error: null } };
  if (input !== "" && key.ctrl !== true && Array.from(input).every((ch) => ch.charCodeAt(0) >= 0x20)) return { kind: "edit", form: { ...form, [field]: form[field] + input, error: null } };
  return { kind: "edit", form };
}

/** The silence form: what will be silenced, the two fields (the active one marked), the keys. */
export function silenceFormLines(alert: Alert, form: SilenceForm, width: number, busy: boolean): Line[] {
  const matchers = silenceMatchers(alert).map((m) => `${m.name}="${m.value}"`).join(" ");
  const field = (name: SilenceForm["field"], label: string, value: string): Line => [
    seg(form.field === name ? "▸ " : "  ", { colour: "cyan" }),
    seg(padRight(label, 10), { dim: true }),
    seg(value, { bold: form.field === name }),
    ...(form.field === name ? [seg("█", { colour: "cyan" })] : []),
  ];
  return [
    [seg("Silence in Alertmanager  ", { bold: true }), seg(alert.name, { bold: true, colour: "yellow" })],
    [seg("matchers  ", { dim: true }), seg(truncate(matchers, Math.max(8, width - 10)))],
    field("duration", "duration", form.duration),
    field("comment", "comment", form.comment),
    form.error === null ? [seg(busy ? "creating the silence…" : " ", { dim: true })] : [seg(form.error, { colour: "red" })],
    [seg("Enter", { bold: true, colour: "cyan" }), seg(" silence  ", { dim: true }), seg("Tab", { bold: true, colour: "cyan" }), seg(" next field  ", { dim: true }), seg("Esc", { bold: true, colour: "cyan" }), seg(" cancel", { dim: true })],
  ];
}

/** One silence in the list: state, end (or how long ago it ended), matchers, who and why. */
export function silenceLine(s: Silence, now: number, width: number, selected: boolean): Line {
  const ends = Date.parse(s.endsAt);
  const state = s.status.state;
  const when = state === "expired" ? `ended ${formatAge(now - ends)} ago` : `until ${formatClock(ends)} (${formatAge(ends - now)})`;
  const matchers = s.matchers.map((m) => `${m.name}${m.isEqual === false ? "!" : ""}${m.isRegex ? "=~" : "="}"${m.value}"`).join(" ");
  const head = `${padRight(state, 8)} ${padRight(when, 28)} `;
  const rest = `${matchers}  ${s.createdBy}: ${s.comment}`;
  return [
    seg(selected ? "▸ " : "  ", { colour: "cyan" }),
    seg(head, { colour: state === "active" ? "yellow" : "gray", bold: state === "active" }),
    seg(truncate(rest, Math.max(8, width - head.length - 2)), { colour: state === "expired" ? "gray" : undefined }),
  ];
}

/** Active and pending silences first (ending soonest first), then expired ones (latest first). */
export function sortSilences(silences: readonly Silence[]): Silence[] {
  const live = (s: Silence): number => (s.status.state === "expired" ? 1 : 0);
  return [...silences].sort((a, b) => live(a) - live(b) || (live(a) === 0 ? Date.parse(a.endsAt) - Date.parse(b.endsAt) : Date.parse(b.endsAt) - Date.parse(a.endsAt)) || a.id.localeCompare(b.id));
}
