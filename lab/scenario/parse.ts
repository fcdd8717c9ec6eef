// Reads a scenario file. A mistake is reported as `FILE:LINE: key.path: got …, expected …`
// — never a stack trace — because people write these by hand.
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { ConfigError, describeValue } from "../../core/errors.js";
import { expectedFromZodMessage, formatPath, valueAt } from "../../core/validate.js";
import { scenarioSchema, type Scenario } from "./schema.js";

export class ScenarioError extends ConfigError {
  override name = "ScenarioError";
  readonly line: number | null;

  constructor(file: string, line: number | null, key: string, value: unknown, expected: string) {
    super(key, value, expected);
    this.line = line;
    this.message = `${file}${line === null ? "" : `:${line}`}: ${key === "" ? "" : `${key}: `}got ${describeValue(value)}, expected ${expected}`;
  }
}

export function parseScenario(text: string, file = "scenario.yaml"): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    const err = new ScenarioError(file, line, "", undefined, "valid YAML");
    err.message = `${file}:${line}: invalid YAML: ${syntax.message.split("\n")[0] ?? syntax.code}`;
    throw err;
  }
  const data: unknown = doc.toJS();
  const parsed = scenarioSchema.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new ScenarioError(file, null, "", data, "a scenario");
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : [...issue.path];
  const node = nodeAt(doc.contents, path);
  const line = node?.range ? lineCounter.linePos(node.range[0]).line : null;
  let expected = expectedFromZodMessage(issue.message);
  if (issue.code === "unrecognized_keys") expected = "a known key (see DESIGN's scenario format)";
  if (issue.code === "invalid_union") expected = unionHint(path);
  throw new ScenarioError(file, line, formatPath(path), valueAt(data, path), expected);
}

function unionHint(path: readonly PropertyKey[]): string {
  if (path[0] === "timeline") return "one of {at, partition, for} {at, isolate, for} {at, linkDown, for} {at, kill} {at, restart} {at, behaviour: {region, set}} {at, subscribe: {region, track}}";
  if (path[0] === "expect") return "{alert, after, within, labels} or {noAlert, labels}";
  return "a valid value";
}

function nodeAt(root: unknown, path: readonly PropertyKey[]): Node | null {
  let cur: unknown = root;
  let last: Node | null = isNode(root) ? root : null;
  for (const part of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === part);
      if (pair === undefined) return last;
      cur = pair.value ?? pair.key;
      last = isNode(cur) ? cur : isNode(pair.key) ? pair.key : last;
    } else if (isSeq(cur) && typeof part === "number") {
      cur = cur.items[part];
      if (isNode(cur)) last = cur;
      else return last;
    } else return last;
  }
  return last;
}

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === "object" && "range" in v;
}

