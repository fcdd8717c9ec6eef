// The one reader of hand-written YAML files (relaywatch.yaml, scenario files): bounded in
// size and alias expansion, and every problem reported as one line
// `FILE:LINE:COL: KEY: got VALUE, expected …` — all of them, not only the first. It must
// never let a stack trace reach a user: anything wrong with a file is a ConfigFileError.
import { readFileSync, statSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { ConfigError, describeValue } from "./errors.js";
import { formatPath, issueWording, problemsFromIssues, type Problem } from "./validate.js";

/** 1 MiB: the largest config or scenario written by hand is a few KiB; more is a wrong file or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/**
 * 100 alias expansions (yaml's own default, stated here so it cannot drift): anchors are
 * rare in these files, and a "billion laughs" document needs thousands.
 */
export const MAX_YAML_ALIASES = 100;
/**
 * 64 levels of nesting: these files nest 3 to 5 deep; yaml's composer recurses once per
 * level, and a few thousand levels (easily written in 1 MiB) exhaust the stack after seconds
 * of work. Counted before parsing: flow brackets and `- `/`? ` chains on one line.
 */
export const MAX_YAML_NESTING = 64;
/** 20 lines: enough to fix a file in one go; the rest are counted, not printed. */
export const MAX_PROBLEMS_SHOWN = 20;

/** Marks a problem that has no value to show (a YAML syntax error, a file that cannot be read). */
export const NO_VALUE: unique symbol = Symbol("no value");

/** A problem placed in its file. `line`/`col` are 1-based; null when no position applies. */
export interface FileProblem {
  line: number | null;
  col: number | null;
  key: string;
  value: unknown;
  expected: string;
}

/** Everything wrong with one file. Its message is one line per problem. */
export class ConfigFileError extends ConfigError {
  override name = "ConfigFileError";
  readonly file: string;
  readonly problems: readonly FileProblem[];

  constructor(file: string, problems: readonly FileProblem[], options?: { cause?: unknown }) {
    const first = problems[0] ?? { line: null, col: null, key: "(file)", value: undefined, expected: "a valid file" };
    super(first.key, first.value === NO_VALUE ? undefined : first.value, first.expected);
    if (options?.cause !== undefined) this.cause = options.cause;
    this.file = file;
    this.problems = problems.length > 0 ? problems : [first];
    this.message = formatProblems(file, this.problems);
  }
}

/** One problem as its line: `FILE:LINE:COL: KEY: got VALUE, expected …` (no FILE when there is none). */
export function formatProblem(file: string, p: FileProblem): string {
  const where = file === "" ? "" : `${file}${p.line === null ? "" : `:${p.line}:${p.col ?? 1}`}: `;
  const got = p.value === NO_VALUE ? "" : `got ${describeValue(p.value)}, `;
  return `${where}${p.key}: ${got}expected ${p.expected}`;
}

function formatProblems(file: string, problems: readonly FileProblem[]): string {
  const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => formatProblem(file, p));
  if (problems.length === 1) return lines[0] ?? "";
  const more = problems.length - lines.length;
  const head = `${file === "" ? "configuration" : file}: ${problems.length} problems`;
  return [head, ...lines, ...(more > 0 ? [`… and ${more} more`] : [])].join("\n");
}

/** Reads a file for parseYamlFile, refusing one too large to be hand-written before reading it. */
export function readYamlText(file: string): string {
  const unreadable = (why: string, cause?: unknown): ConfigFileError =>
    new ConfigFileError(file, [{ line: null, col: null, key: "(file)", value: NO_VALUE, expected: `a readable YAML file (${why})` }], { cause });
  let size: number;
  try {
    const st = statSync(file);
    // A device or FIFO (/dev/zero) would be read forever: only regular files.
    if (!st.isFile()) throw unreadable(st.isDirectory() ? "this is a directory" : "this is not a regular file");
    size = st.size;
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    throw unreadable(systemReason(err), err);
  }
  if (size > MAX_YAML_BYTES) throw tooLarge(file, size);
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw unreadable(systemReason(err), err);
  }
}

function systemReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return typeof code === "string" ? code : "it cannot be read";
}

function tooLarge(file: string, bytes: number): ConfigFileError {
  return new ConfigFileError(file, [{ line: null, col: null, key: "(file)", value: `${bytes} bytes`, expected: `at most ${MAX_YAML_BYTES} bytes (a hand-written file)` }]);
}

/**
 * Parses YAML text against a schema. Returns the schema's output, or throws a
 * ConfigFileError listing every problem with its line and column. An empty file is `{}`.
 */
export function parseYamlFile<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_YAML_BYTES) throw tooLarge(file, bytes);
  const tooDeep = nestingProblem(text);
  if (tooDeep !== null) throw new ConfigFileError(file, [tooDeep]);
  const lineCounter = new LineCounter();
  const { doc, data } = readDocument(text, file, lineCounter);
  const parsed = schema.safeParse(data ?? {}, { error: issueWording });
  if (parsed.success) return parsed.data;
  const problems = problemsFromIssues(schema, parsed.error.issues, data ?? {});
  throw new ConfigFileError(file, placeProblems(problems, doc, lineCounter));
}

/** The first place nesting goes past MAX_YAML_NESTING, or null. A bracket inside a quoted string counts too (harmlessly: such a file is not hand-written). */
function nestingProblem(text: string): FileProblem | null {
  let flow = 0;
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const chain = /^[ \t]*((?:[-?][ \t]+)+)/.exec(line)?.[1] ?? "";
    if (chain.replace(/[ \t]/g, "").length > MAX_YAML_NESTING) return deep(i + 1, 1);
    for (let c = 0; c < line.length; c++) {
      const ch = line[c];
      if (ch === "[" || ch === "{") flow++;
      else if ((ch === "]" || ch === "}") && flow > 0) flow--;
      if (flow > MAX_YAML_NESTING) return deep(i + 1, c + 1);
    }
  }
  return null;
}

function deep(line: number, col: number): FileProblem {
  return { line, col, key: "(YAML)", value: NO_VALUE, expected: `at most ${MAX_YAML_NESTING} levels of nesting` };
}

function readDocument(text: string, file: string, lineCounter: LineCounter): { doc: Document; data: unknown } {
  let doc: Document;
  try {
    // logLevel "error": yaml's warnings (e.g. a mapping used as a key) go to process warnings otherwise.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  } catch (err) {
    // The parser itself gave up (e.g. nesting deeper than the stack): still the file's fault.
    throw new ConfigFileError(file, [{ line: null, col: null, key: "(file)", value: NO_VALUE, expected: "YAML that can be read (the parser gave up: the nesting is too deep)" }], { cause: err });
  }
  if (doc.errors.length > 0) {
    const seen = new Set<string>();
    const problems: FileProblem[] = [];
    // Once the parser ran out of stack, its other complaints are echoes of that one.
    const stack = doc.errors.filter((e) => /stack/i.test(e.message));
    for (const e of stack.length > 0 ? stack.slice(0, 1) : doc.errors) {
      const expected = yamlExpectation(e.code, e.message);
      if (seen.has(expected)) continue;
      seen.add(expected);
      const pos = lineCounter.linePos(e.pos[0]);
      problems.push({ line: pos.line, col: pos.col, key: "(YAML)", value: NO_VALUE, expected });
    }
    throw new ConfigFileError(file, problems);
  }
  try {
    return { doc, data: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    const aliases = err instanceof ReferenceError && /alias/i.test(err.message);
    const expected = aliases ? `at most ${MAX_YAML_ALIASES} alias expansions (this looks like an alias bomb)` : "YAML that can be read";
    throw new ConfigFileError(file, [{ line: 1, col: 1, key: "(YAML)", value: NO_VALUE, expected }], { cause: err });
  }
}

/** yaml's error codes in this project's words; the library's own first line as a fallback. */
function yamlExpectation(code: string, message: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "each key once in a mapping";
    case "MULTIPLE_DOCS":
      return "one YAML document (no second ---)";
    case "TAB_AS_INDENT":
      return "spaces for indentation, not tabs";
    default:
      if (/stack/i.test(message)) return "YAML nested less deeply (the parser ran out of stack)";
      return `valid YAML (${firstLine(message)})`;
  }
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "").trim();
}

function placeProblems(problems: readonly Problem[], doc: Document, lineCounter: LineCounter): FileProblem[] {
  const placed = problems.map((p) => {
    const offset = offsetOf(doc.contents, p.path, p.atKey);
    const pos = offset === null ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col, key: keyText(p.path), value: p.value, expected: p.expected };
  });
  const seen = new Set<string>();
  return placed
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((p) => {
      const id = `${p.line}:${p.col}:${p.key}:${p.expected}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/** A key path for a one-line message: control characters in odd keys are escaped. */
export function keyText(path: readonly PropertyKey[]): string {
  const text = formatPath(path) || "(top level)";
  return /[\p{Cc}\p{Zl}\p{Zp}]/u.test(text) ? JSON.stringify(text) : text;
}

/**
 * Where a path points in the document: the value's start, or the key's when the key is the
 * problem; for a key that is missing, the mapping that should hold it.
 */
function offsetOf(root: unknown, path: readonly PropertyKey[], atKey: boolean): number | null {
  let cur: unknown = root;
  let last = startOf(root);
  for (const [i, part] of path.entries()) {
    const final = i === path.length - 1;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (pair === undefined) return last;
      if (final && atKey) return startOf(pair.key) ?? last;
      cur = pair.value;
      last = startOf(pair.value) ?? startOf(pair.key) ?? last;
    } else if (isSeq(cur) && typeof part === "number") {
      cur = cur.items[part];
      last = startOf(cur) ?? last;
    } else return last;
  }
  return last;
}

function startOf(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? null : range[0];
}
