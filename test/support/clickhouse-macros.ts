// Expands a panel's SQL the way Grafana + grafana-clickhouse-datasource 4.x do before the
// query reaches ClickHouse, so tests can run exactly what a dashboard would send:
//   1. the plugin frontend's `$__conditionalAll(condition, $var)` → `1=1` when "All" is
//      selected, else the condition (src/data/CHDatasource.ts applyConditionalAll);
//   2. Grafana's template variables: `$var`, `${var}`, `${var:format}`, `[[var]]`, with the
//      plugin's default format for multi-values ('a','b') and Grafana's named formats;
//   3. the plugin backend's macros (pkg/macros/macros.go): `$__timeFilter(c)`,
//      `$__timeFilter_ms(c)`, `$__fromTime`, `$__toTime`, `$__fromTime_ms`, `$__toTime_ms`,
//      `$__dateFilter(c)`, `$__timeInterval(c)`, `$__timeInterval_ms(c)`, `$__interval_s`.
// Pure: no I/O.

export interface TemplateVariable {
  /** The selected values; with `all`, the values "All" stands for. */
  values: readonly string[];
  all?: boolean;
}

export interface ExpansionContext {
  fromMs: number;
  toMs: number;
  /** The panel's interval ($__interval) in ms, as Grafana computes it from range and width. */
  intervalMs: number;
  variables: Readonly<Record<string, TemplateVariable>>;
}

export class MacroError extends Error {
  override readonly name = "MacroError";
}

export function expandClickHouseSql(sql: string, ctx: ExpansionContext): string {
  return expandBackendMacros(interpolateVariables(applyConditionalAll(sql, ctx), ctx), ctx);
}

/** Arguments of a call whose "(" is at `open`: split at top-level commas; end = index of ")". */
function callArgs(text: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i));
        return { args, end: i };
      }
    } else if (c === "," && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  throw new MacroError(`unbalanced parentheses after ${text.slice(Math.max(0, open - 20), open + 1)}`);
}

export function applyConditionalAll(sql: string, ctx: ExpansionContext): string {
  const macro = "$__conditionalAll(";
  let out = sql;
  let at = out.lastIndexOf(macro);
  while (at !== -1) {
    const { args, end } = callArgs(out, at + macro.length - 1);
    if (args.length !== 2) throw new MacroError(`$__conditionalAll takes 2 arguments, got ${args.length}`);
    const [condition = "", varRef = ""] = args;
    const name = /\$\{(\w+)\}|\$(\w+)/.exec(varRef.trim());
    const variable = name === null ? undefined : ctx.variables[name[1] ?? name[2] ?? ""];
    const phrase = variable?.all === true ? "1=1" : condition;
    out = out.slice(0, at) + phrase + out.slice(end + 1);
    at = out.lastIndexOf(macro);
  }
  return out;
}

/** Grafana's variable syntax (public/app/features/variables/utils.ts variableRegex). */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

function formatValues(values: readonly string[], format: string | undefined, multi: boolean): string {
  switch (format) {
    case undefined:
      // The ClickHouse plugin's own formatter: arrays become 'a','b'; a single value is raw.
      return multi ? `'${values.join("','")}'` : (values[0] ?? "");
    case "singlequote":
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(",");
    case "doublequote":
      return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(",");
    case "sqlstring":
      return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",");
    case "csv":
      return values.join(",");
    case "raw":
      return values.join(",");
    default:
      throw new MacroError(`template variable format ${format} is not supported by this expander`);
  }
}

export function interpolateVariables(sql: string, ctx: ExpansionContext): string {
  return sql.replace(VARIABLE, (match: string, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, _field?: string, bracedFormat?: string) => {
    const name = plain ?? bracket ?? braced ?? "";
    const variable = ctx.variables[name];
    // Unknown names (the backend's $__ macros) are left for the next stage, as Grafana does.
    if (variable === undefined) return match;
    const multi = variable.all === true || variable.values.length !== 1;
    return formatValues(variable.values, bracketFormat ?? bracedFormat, multi);
  });
}

const unix = (ms: number): number => Math.floor(ms / 1000);
const dateTime = (ms: number): string => `toDateTime(${unix(ms)})`;
const dateTime64 = (ms: number): string => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;
const date = (ms: number): string => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;

type Macro = (args: string[], ctx: ExpansionContext) => string;

function oneArg(name: string, f: (column: string, ctx: ExpansionContext) => string): Macro {
  return (args, ctx) => {
    if (args.length !== 1) throw new MacroError(`$__${name}: expected 1 argument, received ${args.length}`);
    return f(args[0] ?? "", ctx);
  };
}

const MACROS: Readonly<Record<string, Macro>> = {
  fromTime: (_a, c) => dateTime(c.fromMs),
  toTime: (_a, c) => dateTime(c.toMs),
  fromTime_ms: (_a, c) => dateTime64(c.fromMs),
  toTime_ms: (_a, c) => dateTime64(c.toMs),
  timeFilter: oneArg("timeFilter", (col, c) => `${col} >= ${dateTime(c.fromMs)} AND ${col} <= ${dateTime(c.toMs)}`),
  timeFilter_ms: oneArg("timeFilter_ms", (col, c) => `${col} >= ${dateTime64(c.fromMs)} AND ${col} <= ${dateTime64(c.toMs)}`),
  dateFilter: oneArg("dateFilter", (col, c) => `${col} >= ${date(c.fromMs)} AND ${col} <= ${date(c.toMs)}`),
  timeInterval: oneArg("timeInterval", (col, c) => `toStartOfInterval(toDateTime(${col}), INTERVAL ${Math.max(Math.trunc(c.intervalMs / 1000), 1)} second)`),
  timeInterval_ms: oneArg("timeInterval_ms", (col, c) => `toStartOfInterval(toDateTime64(${col}, 3), INTERVAL ${Math.max(Math.trunc(c.intervalMs), 1)} millisecond)`),
  interval_s: (_a, c) => String(Math.max(Math.trunc(c.intervalMs / 1000), 1)),
};

/** `$__name` or `$__name(args)`; the longest macro name wins (`timeFilter_ms` over `timeFilter`). */
const MACRO_CALL = /\$__(\w+)/g;

export function expandBackendMacros(sql: string, ctx: ExpansionContext): string {
  let out = "";
  let last = 0;
  for (const m of sql.matchAll(MACRO_CALL)) {
    const name = m[1] ?? "";
    const macro = MACROS[name];
    if (macro === undefined) throw new MacroError(`unknown macro $__${name}`);
    const at = m.index;
    const after = at + m[0].length;
    let args: string[] = [];
    let end = after;
    if (sql[after] === "(") {
      const call = callArgs(sql, after);
      args = call.args.map((a) => a.trim());
      end = call.end + 1;
    }
    if (at < last) continue; // inside a call already expanded
    out += sql.slice(last, at) + macro(args, ctx);
    last = end;
  }
  return out + sql.slice(last);
}
