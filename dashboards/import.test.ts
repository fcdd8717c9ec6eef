// "Import dashboard" for every committed dashboard JSON, without a Grafana (none can be
// installed here): the `__inputs` are answered with datasources whose uids are not the
// provisioned ones and resolved the way Grafana's import does
// (pkg/services/dashboardimport/utils/dash_template_evaluator.go: every input must be
// answered; every `${NAME}` of an input, in any string, becomes the answer; `__inputs` is
// dropped). The imported dashboard must name every datasource through a datasource
// variable, and that variable must select the datasource chosen at import. Its ClickHouse
// SQL (panels and variables) then runs on chdb against a store in a non-default database,
// with $database resolved as Grafana would. File provisioning, which resolves nothing, must
// still land on the datasources the provisioning file defines.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { DEFAULT_DATABASE } from "../store/url.js";
import { seedDashboardData, type SeededRange } from "../test/support/dashboard-seed.js";
import { DASHBOARDS } from "./src/catalog.js";
import { expandClickHouseSql, type ExpansionContext } from "../test/support/clickhouse-macros.js";
import { CLICKHOUSE_PLUGIN_ID, DATABASE_VARIABLE, DATASOURCE_SLOTS } from "./src/datasources.js";
import { DASHBOARDS_DIR } from "./src/render.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const text = (x: Json | undefined): string => (typeof x === "string" ? x : "");
const field = (x: Json | undefined, key: string): Json | undefined => (x !== null && typeof x === "object" && !Array.isArray(x) ? x[key] : undefined);

interface ImportAnswer {
  name: string;
  type: string;
  value: string;
}

interface Variable {
  name: string;
  type: string;
  query?: Json;
  current?: { text?: Json; value?: Json };
  datasource?: { type?: string; uid?: string };
}

interface Dashboard {
  __inputs?: { name: string; type: string; pluginId: string }[];
  templating: { list: Variable[] };
  panels: { title?: string; targets?: { rawSql?: string; datasource?: { type?: string } }[] }[];
}

/** Grafana's DashTemplateEvaluator.Eval, on parsed JSON. */
function importDashboard(template: Dashboard, answers: readonly ImportAnswer[]): Dashboard {
  const values = new Map<string, string>();
  for (const input of template.__inputs ?? []) {
    const answer = answers.find((a) => a.type === input.type && (a.name === input.name || a.name === "*"));
    if (answer === undefined) throw new Error(`Dashboard input variable: ${input.name} missing from import command`);
    values.set(`\${${input.name}}`, answer.value);
  }
  const evaluate = (node: Json): Json => {
    if (typeof node === "string") return node.replace(/\$\{.+?\}/g, (m) => values.get(m) ?? m);
    if (Array.isArray(node)) return node.map(evaluate);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== "__inputs").map(([k, v]) => [k, evaluate(v)]));
  };
  return evaluate(template as unknown as Json) as unknown as Dashboard;
}

/** Grafana's own datasources, which need no variable. */
const BUILT_IN_UIDS = new Set(["grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"]);

/** Every datasource reference that is not a datasource variable's: where it is and what it names. */
function datasourceRefs(node: Json, path: string, out: { path: string; type: string; uid: string }[] = []): { path: string; type: string; uid: string }[] {
  if (Array.isArray(node)) node.forEach((n, i) => datasourceRefs(n, `${path}[${i}]`, out));
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "datasource" && v !== null && typeof v === "object" && !Array.isArray(v)) out.push({ path, type: text(v["type"]), uid: text(v["uid"]) });
      datasourceRefs(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Refs that do not go through a datasource variable of the dashboard for their plugin type. */
function fixedRefs(d: Dashboard): string[] {
  const dsVariables = new Map(d.templating.list.filter((v) => v.type === "datasource").map((v) => [v.name, v.query]));
  return datasourceRefs(d as unknown as Json, "$")
    .filter((r) => !BUILT_IN_UIDS.has(r.uid))
    .filter((r) => {
      const name = /^\$\{(\w+)\}$/.exec(r.uid)?.[1];
      return name === undefined || dsVariables.get(name) !== r.type;
    })
    .map((r) => `${r.path}: ${r.type} ${r.uid}`);
}

interface DatasourceOption {
  name: string;
  uid: string;
}

/**
 * The option a single-value datasource variable lands on when the dashboard loads: Scenes
 * (Grafana 11+, MultiValueVariable) matches current.value against uids, then current.text
 * against names, else takes the first; the older variable system (Grafana 9, 10, early 11,
 * public/app/features/variables/state/actions.ts) matches current.text only.
 */
function selectedDatasource(v: Variable, options: readonly DatasourceOption[], engine: "scenes" | "legacy"): string | undefined {
  const byValue = engine === "scenes" ? options.find((o) => o.uid === v.current?.value) : undefined;
  const byText = options.find((o) => o.name === v.current?.text);
  return (byValue ?? byText ?? options[0])?.uid;
}

const IMPORTED_UID: Readonly<Record<string, string>> = { [CLICKHOUSE_PLUGIN_ID]: "ch-7f3a9", prometheus: "prom-91c2e" };

function answersFor(d: Dashboard): ImportAnswer[] {
  return (d.__inputs ?? []).map((i) => ({ name: i.name, type: i.type, value: IMPORTED_UID[i.pluginId] ?? "?" }));
}

const committed = (file: string): Dashboard => JSON.parse(readFileSync(join(DASHBOARDS_DIR, "grafana", file), "utf8")) as Dashboard;

interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
}
const provisioned = (parse(readFileSync(join(DASHBOARDS_DIR, "provisioning", "datasources", "relaywatch.yaml"), "utf8")) as { datasources: ProvisionedDatasource[] }).datasources;

describe("dashboard import", () => {
  it("covers every committed dashboard JSON", () => {
    const files = readdirSync(join(DASHBOARDS_DIR, "grafana")).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(DASHBOARDS.map((s) => s.file).sort());
  });

  it("the fixed-uid check flags a panel that names its datasource by uid", () => {
    const d = committed("mesh-overview.json");
    const broken = structuredClone(d) as unknown as { panels: { datasource: { type: string; uid: string } }[] };
    broken.panels[1]!.datasource = { type: CLICKHOUSE_PLUGIN_ID, uid: "relaywatch-clickhouse" };
    expect(fixedRefs(broken as unknown as Dashboard)).toEqual([`$.panels[1]: ${CLICKHOUSE_PLUGIN_ID} relaywatch-clickhouse`]);
  });

  it("refuses an import that leaves an input unanswered, as Grafana does", () => {
    const d = committed("relay-health.json");
    expect(() => importDashboard(d, answersFor(d).slice(1))).toThrow(/Dashboard input variable: DS_\w+ missing from import command/);
  });

  for (const spec of DASHBOARDS) {
    describe(spec.file, () => {
      it("asks, in __inputs, for exactly the datasources its variables pick", () => {
        const d = committed(spec.file);
        const dsVariables = d.templating.list.filter((v) => v.type === "datasource");
        expect(dsVariables.length).toBeGreaterThan(0);
        const expected = DATASOURCE_SLOTS.filter((s) => dsVariables.some((v) => v.name === s.variable)).map((s) => ({ name: s.input, type: "datasource", pluginId: s.pluginId }));
        expect((d.__inputs ?? []).map((i) => ({ name: i.name, type: i.type, pluginId: i.pluginId }))).toEqual(expected);
      });

      it("imported with its __inputs answered, every panel, target and query variable names its datasource through a variable that selects the chosen one", () => {
        const d = importDashboard(committed(spec.file), answersFor(committed(spec.file)));
        expect(JSON.stringify(d)).not.toMatch(/\$\{DS_/);
        expect(datasourceRefs(d as unknown as Json, "$").length).toBeGreaterThan(0);
        expect(fixedRefs(d)).toEqual([]);
        for (const v of d.templating.list.filter((x) => x.type === "datasource")) {
          const chosen = IMPORTED_UID[text(v.query)] ?? "?";
          const options = [{ name: "Another datasource", uid: "other-1" }, { name: "imported", uid: chosen }];
          expect(selectedDatasource(v, options, "scenes"), v.name).toBe(chosen);
        }
      });

      it("provisioned without import, its datasource variables select the datasources relaywatch.yaml defines", () => {
        const d = committed(spec.file);
        for (const v of d.templating.list.filter((x) => x.type === "datasource")) {
          const mine = provisioned.find((p) => p.type === v.query);
          expect(mine, `relaywatch.yaml has a ${text(v.query)} datasource`).toBeDefined();
          const options = [{ name: "Another datasource", uid: "other-1" }, { name: mine?.name ?? "", uid: mine?.uid ?? "" }];
          for (const engine of ["scenes", "legacy"] as const) expect(selectedDatasource(v, options, engine), `${v.name} (${engine})`).toBe(mine?.uid);
        }
      });
    });
  }
});

/** Not the default: the store URL's path chooses the database (`--store http://…:8123/rw_imported`). */
const DATABASE = "rw_imported";
const dir = mkdtempSync(join(tmpdir(), "relaywatch-import-"));
let store: ChdbStore;
let range: SeededRange;

beforeAll(async () => {
  store = await ChdbStore.open({ path: join(dir, "data"), database: DATABASE });
  await migrate(store);
  range = await seedDashboardData(store);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`imported dashboards on a store in database ${DATABASE}`, () => {
  for (const spec of DASHBOARDS.filter((s) => s.clickhouseQueries.length > 0)) {
    it(`${spec.file}: $database lands on ${DATABASE} (not ${DEFAULT_DATABASE}) and every ClickHouse query runs there`, async () => {
      const d = importDashboard(committed(spec.file), answersFor(committed(spec.file)));
      const all = { values: range.regions, all: true };
      const ctx = (database: string): ExpansionContext => ({
        fromMs: range.fromMs,
        toMs: range.toMs,
        intervalMs: 60_000,
        variables: { [DATABASE_VARIABLE]: { values: [database] }, src: all, dst: all, region: all, alertname: { values: ["RelayLoop"], all: true } },
      });
      const chVariables = d.templating.list.filter((v) => v.type === "query" && v.datasource?.type === CLICKHOUSE_PLUGIN_ID);
      const databaseVariable = chVariables.find((v) => v.name === DATABASE_VARIABLE);
      expect(databaseVariable?.current?.value).toBe(DEFAULT_DATABASE);
      // Grafana keeps current when it is among the options, else takes the first.
      const options = (await store.query<{ database: string }>(expandClickHouseSql(text(field(databaseVariable?.query, "rawSql")), ctx("")))).map((r) => r.database);
      const database = options.includes(DEFAULT_DATABASE) ? DEFAULT_DATABASE : (options[0] ?? "");
      expect(database).toBe(DATABASE);
      const queries = [
        ...chVariables.map((v) => ({ where: `$${v.name}`, sql: text(field(v.query, "rawSql")) })),
        ...d.panels.flatMap((p) => (p.targets ?? []).filter((t) => t.datasource?.type === CLICKHOUSE_PLUGIN_ID).map((t) => ({ where: p.title ?? "?", sql: t.rawSql ?? "" }))),
      ];
      expect(queries.length).toBeGreaterThan(chVariables.length);
      for (const q of queries) {
        const sql = expandClickHouseSql(q.sql, ctx(database));
        expect(sql, q.where).not.toMatch(/\$\{|\brelaywatch\./);
        await expect(store.query(sql), q.where).resolves.toBeInstanceOf(Array);
      }
    });
  }
});
