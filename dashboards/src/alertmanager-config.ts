// The Alertmanager example configuration, generated so that its per-region inhibitions
// cover every region. The policy is the analyzer's (analyzer/alerts/paging.ts): one page per
// root cause; `critical` pages, `warning` is a ticket. Routing groups by cause — alert and
// region, or the loop's `regions` (one RelayLoop per cycle, not per track). The inhibitions
// mirror analyzer/alerts/inhibition.ts as far as Alertmanager's label matching can express them:
//   - a critical mutes the warning of the same alert and labels: the analyzer raises a
//     symptom's severity in place once it outlasts the paging horizon (the warning's label
//     set lingers in Alertmanager until it expires), and the Prometheus rules pair a warning
//     with a critical the same way;
//   - RelayLoop mutes ProbePairFailing on the same regions (equal `regions`), and pairs
//     whose dst sits on the loop (per region, a regex on the loop's sorted `regions` label).
//     The analyzer additionally requires the pair's src to be a looped track's origin;
//     Alertmanager cannot see evidence, so it mutes a little more here. Alerts the analyzer
//     sends are already inhibited at the source;
//   - RegionUnreachable, RegionOffline and FalseIsolation mute the pair alerts
//     (ProbePairFailing, RelayLatencyHigh), the MissingRelay and the TurnUnavailable of that
//     region: equal `region`, and per region for `src` and `dst`;
//   - FalseIsolation mutes the RegionOffline of the same region (one outage, named by why).
import { stringify } from "yaml";
import { DEFAULT_REGIONS } from "../../core/region.js";

const PAIR_ALERTS = "ProbePairFailing|RelayLatencyHigh";
/** Region-level causes (analyzer/alerts/inhibition.ts REGION_CAUSES). */
const REGION_CAUSES = "RegionUnreachable|RegionOffline|FalseIsolation";
/** Every label that identifies an alert (DESIGN), for "same alert, other severity". */
const IDENTITY = ["alertname", "region", "regions", "src", "dst", "track"];

/** Example receivers: loopback webhooks, replaced by the operator's real ones. */
const PAGER_URL = "http://127.0.0.1:9096/relaywatch/page";
const TICKET_URL = "http://127.0.0.1:9096/relaywatch/ticket";

interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function inhibitRules(regions: readonly string[]): InhibitRule[] {
  const rules: InhibitRule[] = [
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: IDENTITY },
    { source_matchers: ['alertname="RelayLoop"'], target_matchers: ['alertname="ProbePairFailing"', 'regions=~".+"'], equal: ["regions"] },
    { source_matchers: [`alertname=~"${REGION_CAUSES}"`], target_matchers: [`alertname=~"${PAIR_ALERTS}|MissingRelay|TurnUnavailable"`, 'region=~".+"'], equal: ["region"] },
    { source_matchers: ['alertname="FalseIsolation"'], target_matchers: ['alertname="RegionOffline"'], equal: ["region"] },
  ];
  for (const r of regions) {
    const onLoop = `(.+,)?${escapeRegex(r)}(,.+)?`;
    rules.push({ source_matchers: ['alertname="RelayLoop"', `regions=~"${onLoop}"`], target_matchers: ['alertname="ProbePairFailing"', `dst="${r}"`] });
    for (const side of ["src", "dst"]) {
      rules.push({ source_matchers: [`alertname=~"${REGION_CAUSES}"`, `region="${r}"`], target_matchers: [`alertname=~"${PAIR_ALERTS}"`, `${side}="${r}"`] });
    }
  }
  return rules;
}

export function alertmanagerConfig(regions: readonly string[]): Record<string, unknown> {
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: "relaywatch-ticket",
      // One notification per cause: an alert and its region, or a loop's cycle (`regions`);
      // every track looping on one cycle, every failing pair of one region, land together.
      group_by: ["alertname", "region", "regions"],
      group_wait: "10s",
      group_interval: "1m",
      repeat_interval: "4h",
      routes: [
        // Critical pages, at once: structural causes (RelayLoop, FalseIsolation, a region
        // that stays unreachable) as soon as they fire, symptoms once they outlasted the
        // paging horizon (the analyzer raises them to critical then). Warnings are tickets.
        { matchers: ['severity="critical"'], receiver: "relaywatch-pager", group_wait: "0s", repeat_interval: "1h" },
        { matchers: ['severity=~"warning|info"'], receiver: "relaywatch-ticket" },
      ],
    },
    inhibit_rules: inhibitRules(regions),
    receivers: [
      { name: "relaywatch-pager", webhook_configs: [{ url: PAGER_URL, send_resolved: true }] },
      { name: "relaywatch-ticket", webhook_configs: [{ url: TICKET_URL, send_resolved: true }] },
    ],
  };
}

const HEADER = `# relaywatch — example Alertmanager configuration (generated: relaywatch dashboards build).
# Routes the analyzer's alerts (RelayLoop, MissingRelay, ProbePairFailing, FalseIsolation,
# RegionOffline, RegionUnreachable, RelayLatencyHigh, StaleRelay) and the Prometheus rules'
# (dashboards/prometheus/relaywatch.rules.yml). Replace the loopback webhooks with your
# receivers. Per-region inhibitions are listed for: ${DEFAULT_REGIONS.join(", ")};
# \`relaywatch dashboards alertmanager --regions a,b,c\` prints this file for other regions.
# Every alert (the analyzer's and the rules') carries a runbook_url annotation to its page in
# docs/runbooks/: put it in your receivers' templates, e.g. {{ .CommonAnnotations.runbook_url }}.
`;

export function renderAlertmanagerExample(regions: readonly string[] = DEFAULT_REGIONS): string {
  const header = regions === DEFAULT_REGIONS ? HEADER : HEADER.replace(DEFAULT_REGIONS.join(", "), regions.join(", "));
  return `${header}${stringify(alertmanagerConfig(regions), { lineWidth: 0 })}`;
}
