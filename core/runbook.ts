// Where an alert's runbook lives: one page per alert name under docs/runbooks/
// (<AlertName>.md). Alerts the analyzer sends carry it as the `runbook_url` annotation, the
// Prometheus rules carry the same, and the TUI shows it in the alert's details.
// The default base is this installation's own copy of the pages (a file: URL, readable on
// the host that runs relaywatch); a team that publishes them elsewhere (a wiki, its Git
// host) sets the base once: `relaywatch analyze --runbook-base-url https://…/runbooks`.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "./package-root.js";

/** docs/runbooks/ of this installation (a checkout or the installed package, which ships docs/), as a file: URL. */
export const DEFAULT_RUNBOOK_BASE_URL: string = pathToFileURL(join(packageRoot(), "docs", "runbooks")).href;

/** The runbook page of alert `name` under `base` (with or without a trailing slash). */
export function runbookUrl(name: string, base: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base.replace(/\/+$/, "")}/${encodeURIComponent(name)}.md`;
}
