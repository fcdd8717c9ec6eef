// The Alertmanager example configuration, generated so that its per-region inhibitions
// cover every region. Routing groups by what on-call acts on (alert, track, region); the
// inhibitions mirror the analyzer's (analyzer/alerts/inhibition.ts) as far as Alertmanager's
// label matching can express them:
//   - RelayLoop mutes ProbePairFailing on the same regions (equal `regions`), on the same
//     track (equal `track`), and pairs whose dst sits on the loop (per region, a regex on
//     the loop's sorted `regions` label). The analyzer additionally requires the pair's
//     src to be the loop's origin; Alertmanager cannot see evidence, so it mutes a little
//     more here. Alerts the analyzer sends are already inhibited at the source.
//   - RegionUnreachable mutes the pair alerts (ProbePairFailing, RelayLatencyHigh) of that
//     region: equal `region`, and per region for `src` and `dst`.
import { stringify } from "yaml";
import { DEFAULT_REGIONS } from "../../core/region.js";

const PAIR_ALERTS = "ProbePairFailing|RelayLatencyHigh";

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
    { source_matchers: ['alertname="RelayLoop"'], target_matchers: ['alertname="ProbePairFailing"', 'regions=~".+"'], equal: ["regions"] },
    { source_matchers: ['alertname="RelayLoop"'], target_matchers: ['alertname="ProbePairFailing"', 'track=~".+"'], equal: ["track"] },
    { source_matchers: ['alertname="RegionUnreachable"'], target_matchers: [`alertname=~"${PAIR_ALERTS}"`, 'region=~".+"'], equal: ["region"] },
  ];
  for (const r of regions) {
    const onLoop = `(.+,)?${escapeRegex(r)}(,.+)?`;
    rules.push({ source_matchers: ['alertname="RelayLoop"', `regions=~"${onLoop}"`], target_matchers: ['alertname="ProbePairFailing"', `dst="${r}"`] });
    for (const side of ["src", "dst"]) {
      rules.push({ source_matchers: ['alertname="RegionUnreachable"', `region="${r}"`], target_matchers: [`alertname=~"${PAIR_ALERTS}"`, `${side}="${r}"`] });
    }
  }
  return rules;
}

export function alertmanagerConfig(regions: readonly string[]): Record<string, unknown> {
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: "relaywatch-ticket",
      // One notification per alert and track/region: all failing pairs of a run land together.
      group_by: ["alertname", "track", "region", "regions"],
      group_wait: "10s",
      group_interval: "1m",
      repeat_interval: "4h",
      routes: [
        // The analyzer re-sends firing alerts; critical ones (RelayLoop, RegionOffline…) page at once.
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
`;

export function renderAlertmanagerExample(regions: readonly string[] = DEFAULT_REGIONS): string {
  const header = regions === DEFAULT_REGIONS ? HEADER : HEADER.replace(DEFAULT_REGIONS.join(", "), regions.join(", "));
  return `${header}${stringify(alertmanagerConfig(regions), { lineWidth: 0 })}`;
}
