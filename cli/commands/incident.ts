// `relaywatch incident list|report`: the write-up (issue 18). Incidents are alerts grouped
// by time and cause (analyzer/incidents); a report is the timeline from the store —
// detection, pages, actions, recovery — with per-pair impact and status-page updates, in
// Markdown (a postmortem skeleton) or JSON. Reads the store directly: a ClickHouse server
// URL at any time, or an embedded store's directory when its analyzer is not running.
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { ConfigError, RelaywatchError } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import { loadIncidents, loadReport } from "../../analyzer/incidents/load.js";
import { reportMarkdown } from "../../analyzer/incidents/report.js";
import { openStore } from "../../store/open.js";
import type { Store } from "../../store/store.js";
import { parseStoreUrl } from "../../store/url.js";
import { formatTable } from "../format-table.js";
import { runAction } from "../run-action.js";
import { applyTlsCa, tlsCaOption, type TlsOpts } from "../tls-options.js";

interface StoreOpts extends TlsOpts {
  store?: string;
}

export function incidentCommand(): Command {
  const storeOption = new Option("--store <url>", "a directory (embedded chdb, its analyzer stopped) or http://user:pass@host:8123/db").env("RELAYWATCH_STORE");
  const cmd = new Command("incident").description("Incidents from the store: list them, report one as a postmortem skeleton");
  cmd.addCommand(new Command("list")
    .description("Incidents (alerts grouped by time and cause), oldest first")
    .addOption(storeOption)
    .addOption(tlsCaOption())
    .option("--since <duration>", "how far back, e.g. 24h, 7d", "7d")
    .option("--json", "print JSON")
    .action(runAction(async (o: StoreOpts & { since: string; json?: boolean }) => {
      const back = parseDuration(o.since);
      if (back === null) throw new ConfigError("--since", o.since, "a duration such as 24h or 7d");
      const now = Date.now();
      const incidents = await withStore(o, (s) => loadIncidents(s, { from: now - back, to: now }));
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify(incidents, null, 2)}\n`);
        return;
      }
      if (incidents.length === 0) {
        process.stdout.write("no incidents\n");
        return;
      }
      const rows = incidents.map((i) => ({ id: i.id, start: new Date(i.start).toISOString(), duration: i.end === null ? "ongoing" : `${Math.round((i.end - i.start) / 1000)} s`, alerts: i.episodes.length, causes: i.causes.join("; ") }));
      process.stdout.write(formatTable(rows));
    })));
  cmd.addCommand(new Command("report")
    .description("One incident: timeline, per-pair impact, actions, status-page updates")
    .argument("<id>", "an incident id from `relaywatch incident list`")
    .addOption(storeOption)
    .addOption(tlsCaOption())
    .addOption(new Option("--format <format>", "md or json").choices(["md", "json"]).default("md"))
    .action(runAction(async (id: string, o: StoreOpts & { format: "md" | "json" }) => {
      const report = await withStore(o, (s) => loadReport(s, id, Date.now()));
      if (report === null) throw new RelaywatchError("not_found", `no incident ${id} in the store (see relaywatch incident list)`);
      process.stdout.write(o.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report));
    })));
  return cmd;
}

async function withStore<T>(o: StoreOpts, fn: (s: Store) => Promise<T>): Promise<T> {
  if (o.store === undefined) throw new ConfigError("--store", undefined, "the store's URL or directory (or RELAYWATCH_STORE)");
  const loc = parseStoreUrl(o.store, "--store");
  if (loc.kind === "chdb" && !existsSync(loc.path)) throw new ConfigError("--store", o.store, "an existing store directory");
  applyTlsCa(o);
  const store = await openStore({ url: o.store });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
