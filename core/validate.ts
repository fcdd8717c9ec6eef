// Parsing of anything that crosses a process boundary: unknown in, typed value or a
// PayloadError naming the zod path of the first problem out. For hand-written documents
// (config, scenarios): every zod issue as a Problem in this project's words.
import { z } from "zod";
import { PayloadError, type Result } from "./errors.js";

/** Formats a zod issue path the way users read it: `results[3].src`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function parsePayload<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>, PayloadError> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  if (first === undefined) return { ok: false, error: new PayloadError("", "invalid payload") };
  return { ok: false, error: new PayloadError(formatPath(first.path), first.message) };
}

/** Like parsePayload, but throws the PayloadError. */
export function mustParse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = parsePayload(schema, input);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * A zod message as the "expected …" half of a config error: drops zod's category prefix
 * ("Invalid input: ", "Too small: ") and a leading "expected", which ConfigError adds itself.
 */
export function expectedFromZodMessage(message: string): string {
  return message.replace(/^(Invalid input|Too small|Too big|Invalid option|Invalid value)[^:]*: /i, "").replace(/^expected /i, "");
}

/** The value at a (zod issue) path inside a parsed document, for "got …" in error messages. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/**
 * One problem in a configuration or scenario document: the key (as a path), the value
 * found there and what was expected, in this project's words (no leading "expected").
 * `atKey`: the key itself is wrong (unknown), so it is located at the key, not its value.
 */
export interface Problem {
  path: PropertyKey[];
  atKey: boolean;
  value: unknown;
  expected: string;
}

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

/** How the types zod checks read in a YAML document. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  tuple: "a list",
  object: "a mapping (key: value)",
  record: "a mapping (key: value)",
  map: "a mapping (key: value)",
  nan: "NaN",
  null: "nothing (null)",
};

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, side: "min" | "max"): string {
  const n = Number(limit);
  if (origin === "array" || origin === "set") {
    if (side === "min" && n === 1) return "a non-empty list";
    return `a list of ${side === "min" ? "at least" : "at most"} ${n} item${n === 1 ? "" : "s"}`;
  }
  if (origin === "string") {
    if (side === "min" && n === 1) return "a non-empty string";
    return `a string of ${side === "min" ? "at least" : "at most"} ${n} character${n === 1 ? "" : "s"}`;
  }
  const what = origin === "int" ? "a whole number" : "a number";
  if (inclusive === false) return `${what} ${side === "min" ? "greater" : "less"} than ${n}`;
  return `${what} ${side === "min" ? "of at least" : "of at most"} ${n}`;
}

/**
 * A zod error map in this project's words; pass it as `safeParse(x, { error: issueWording })`.
 * Messages a schema sets itself ("expected a region name like …") take precedence over it.
 */
export function issueWording(iss: RawIssue): string {
  switch (iss.code) {
    case "invalid_type": {
      const word = TYPE_WORDS[iss.expected] ?? `a ${iss.expected}`;
      return iss.input === undefined ? `expected ${word} (this key is required)` : `expected ${word}`;
    }
    case "too_small":
      return `expected ${bound(iss.origin, iss.minimum, iss.inclusive, "min")}`;
    case "too_big":
      return `expected ${bound(iss.origin, iss.maximum, iss.inclusive, "max")}`;
    case "invalid_format":
      if (iss.format === "url") return "expected a URL like http://127.0.0.1:7001";
      return iss.pattern === undefined ? `expected a valid ${iss.format}` : `expected a string matching ${iss.pattern}`;
    case "invalid_value":
      return `expected one of: ${iss.values.map(String).join(", ")}`;
    case "not_multiple_of":
      return `expected a multiple of ${iss.divisor}`;
    case "unrecognized_keys":
      return "expected a known key";
    case "invalid_union":
      return "expected one of the accepted forms";
    case "invalid_key":
      return "expected a valid key";
    default:
      return "expected a valid value";
  }
}

/** True when a union branch does not even have the shape of the input (wrong type, other keys). */
function branchMismatch(issue: Issue, data: unknown, at: readonly PropertyKey[]): boolean {
  if (issue.path.length === 0) return issue.code === "unrecognized_keys" || issue.code === "invalid_type";
  return issue.path.length === 1 && issue.code === "invalid_type" && valueAt(data, [...at, ...issue.path]) === undefined;
}

/** The issues of a failed union: the one branch that has the input's shape, else the union's own. */
function unionProblems(schema: z.ZodType, issue: Extract<Issue, { code: "invalid_union" }>, data: unknown, at: PropertyKey[]): Problem[] {
  const branches = issue.errors.filter((b) => b.length > 0);
  const plausible = branches.filter((b) => !b.some((i) => branchMismatch(i, data, at)));
  const best = plausible.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) return problemsFromIssues(schema, best, data, at);
  const unknownIn = branches.map((b) => new Set(b.flatMap((i) => (i.code === "unrecognized_keys" && i.path.length === 0 ? i.keys : []))));
  const everywhere = [...(unknownIn[0] ?? [])].filter((k) => unknownIn.every((s) => s.has(k)));
  if (everywhere.length > 0) {
    return everywhere.map((k) => ({ path: [...at, k], atKey: true, value: valueAt(data, [...at, k]), expected: expectedFromZodMessage(issue.message) }));
  }
  const value = valueAt(data, at);
  return [{ path: at, atKey: false, value, expected: `${expectedFromZodMessage(issue.message)}${value === undefined ? REQUIRED : ""}` }];
}

const REQUIRED = " (this key is required)";

/**
 * Every zod issue as problems: unions resolved to the branch the input was meant as,
 * unknown keys one by one with the keys known there (and the closest, if it is a typo).
 */
export function problemsFromIssues(schema: z.ZodType, issues: readonly Issue[], data: unknown, prefix: PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...issue.path];
    if (issue.code === "invalid_union") out.push(...unionProblems(schema, issue, data, at));
    else if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, at);
      for (const key of issue.keys) {
        const hint = closestName(key, known);
        let expected = known.length === 0 ? "no key here" : `one of the keys known here: ${known.join(", ")}${hint === null ? "" : ` (did you mean ${hint}?)`}`;
        // Known here, but in another form of a union (e.g. kill and restart in one timeline entry).
        if (known.includes(key)) expected = `the keys of one form only: ${key} belongs to another form of this entry`;
        out.push({ path: [...at, key], atKey: true, value: valueAt(data, [...at, key]), expected });
      }
    } else if (issue.code === "invalid_key") {
      const inner = issue.issues[0];
      out.push({ path: at, atKey: true, value: at[at.length - 1], expected: expectedFromZodMessage(inner?.message ?? issue.message) });
    } else {
      const value = valueAt(data, at);
      let expected = expectedFromZodMessage(issue.message);
      if (value === undefined && !expected.includes("required")) expected += REQUIRED;
      if (issue.code === "invalid_value" && typeof value === "string") {
        const hint = closestName(value, issue.values.map(String));
        if (hint !== null) expected += ` (did you mean ${hint}?)`;
      }
      out.push({ path: at, atKey: false, value, expected });
    }
  }
  return out;
}

/** The keys an object schema accepts at `path` (through lists, defaults and unions). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType[] = [schema];
  for (const part of path) {
    current = current.flatMap((s) => stepInto(unwrap(s), part));
  }
  const keys = current.flatMap((s) => objectKeys(unwrap(s)));
  return [...new Set(keys)];
}

function stepInto(s: z.ZodType, part: PropertyKey): z.ZodType[] {
  if (s instanceof z.ZodObject) {
    const next = (s.shape as Record<string, z.ZodType | undefined>)[String(part)];
    return next === undefined ? [] : [next];
  }
  if (s instanceof z.ZodArray) return [s.element as z.ZodType];
  if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap((o) => stepInto(unwrap(o), part));
  return [];
}

function objectKeys(s: z.ZodType): string[] {
  if (s instanceof z.ZodObject) return Object.keys(s.shape);
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap((o) => objectKeys(unwrap(o)));
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

/** 2 edits: catches a swapped, dropped or doubled letter ("regoins", "RelyLoop") without matching unrelated names. */
const TYPO_DISTANCE = 2;

/** The name in `names` a typo most likely meant, or null when none is close. */
export function closestName(typo: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = TYPO_DISTANCE + 1;
  for (const name of names) {
    const d = editDistance(typo.toLowerCase(), name.toLowerCase());
    if (d < bestDistance && d < name.length) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > TYPO_DISTANCE) return TYPO_DISTANCE + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
