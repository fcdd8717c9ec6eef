// The Prometheus rules' runbook links, rebased. The committed rules (and their promtool unit
// tests) carry `runbook_url: docs/runbooks/<Alert>.md`, the page's path in the repository;
// a deployment points them where its team reads the pages:
// `relaywatch dashboards rules --runbook-base-url https://wiki.example/relaywatch/runbooks`.
import { runbookUrl } from "../../core/runbook.js";

/** The base the committed rules use: the repository path of docs/runbooks. */
export const RULES_RUNBOOK_BASE = "docs/runbooks";

const RUNBOOK_LINE = /^(\s*runbook_url: )docs\/runbooks\/([A-Za-z0-9]+)\.md\s*$/gm;

/** `text` (a rules file or its unit tests) with every committed runbook_url under `base`. */
export function rebaseRunbookUrls(text: string, base: string): string {
  return text.replace(RUNBOOK_LINE, (_line, prefix: string, name: string) => `${prefix}${JSON.stringify(runbookUrl(name, base))}`);
}
