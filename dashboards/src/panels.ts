// Panel helpers shared by the dashboards: one line per panel in the dashboard files, the
// SDK builders underneath. Every panel names its datasource through a dashboard variable (datasources.ts).
import { PanelBuilder as BarChartPanel } from "@grafana/grafana-foundation-sdk/barchart";
import type { Builder } from "@grafana/grafana-foundation-sdk/cog";
import { LegendDisplayMode, LegendPlacement, StackingMode, StackingConfigBuilder, VizLegendOptionsBuilder, GraphDrawStyle } from "@grafana/grafana-foundation-sdk/common";
import type { DataTransformerConfig, ValueMapping } from "@grafana/grafana-foundation-sdk/dashboard";
import { MappingType } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder as PromQuery } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as StateTimelinePanel } from "@grafana/grafana-foundation-sdk/statetimeline";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import { ClickHouseQueryBuilder, type ClickHouseQuery } from "./clickhouse-query.js";
import { CLICKHOUSE, PROMETHEUS } from "./datasources.js";

export interface Size {
  w: number;
  h: number;
}

/** One PromQL target: the expression and how Grafana names its series. */
export interface PromTarget {
  expr: string;
  legend: string;
}

function legend(mode: LegendDisplayMode, calcs: string[] = []): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder().showLegend(mode !== LegendDisplayMode.Hidden).displayMode(mode).placement(LegendPlacement.Bottom).calcs(calcs);
}

function promTargets(targets: readonly PromTarget[]): Builder<PromQueryBuilt>[] {
  return targets.map((t, i) => new PromQuery().datasource({ ...PROMETHEUS }).expr(t.expr).legendFormat(t.legend).range().refId(String.fromCharCode(65 + i)));
}
type PromQueryBuilt = ReturnType<PromQuery["build"]>;

export function promTimeseries(title: string, description: string, unit: string, size: Size, targets: readonly PromTarget[], opts: { stacked?: boolean; bars?: boolean } = {}): TimeseriesPanel {
  const p = new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource({ ...PROMETHEUS })
    .unit(unit)
    .span(size.w)
    .height(size.h)
    .legend(legend(LegendDisplayMode.Table, ["lastNotNull", "max"]))
    .targets(promTargets(targets));
  if (opts.stacked === true) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(30);
  if (opts.bars === true) p.drawStyle(GraphDrawStyle.Bars).fillOpacity(60);
  return p;
}

export function promStateTimeline(title: string, description: string, size: Size, targets: readonly PromTarget[], mappings: ValueMapping[]): StateTimelinePanel {
  return new StateTimelinePanel()
    .title(title)
    .description(description)
    .datasource({ ...PROMETHEUS })
    .span(size.w)
    .height(size.h)
    .mappings(mappings)
    .legend(legend(LegendDisplayMode.List))
    .targets(promTargets(targets));
}

export function chTimeseries(title: string, description: string, unit: string, size: Size, query: ClickHouseQuery, opts: { stacked?: boolean; bars?: boolean } = {}): TimeseriesPanel {
  const p = new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource({ ...CLICKHOUSE })
    .unit(unit)
    .span(size.w)
    .height(size.h)
    .legend(legend(LegendDisplayMode.Table, ["lastNotNull", "max"]))
    .withTarget(new ClickHouseQueryBuilder(query));
  if (opts.stacked === true) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(30);
  if (opts.bars === true) p.drawStyle(GraphDrawStyle.Bars).fillOpacity(60);
  return p;
}

export function chTable(title: string, description: string, size: Size, query: ClickHouseQuery, transformations: DataTransformerConfig[] = []): TablePanel {
  return new TablePanel()
    .title(title)
    .description(description)
    .datasource({ ...CLICKHOUSE })
    .span(size.w)
    .height(size.h)
    .transformations(transformations)
    .withTarget(new ClickHouseQueryBuilder(query));
}

export function chBarChart(title: string, description: string, unit: string, size: Size, query: ClickHouseQuery, xField: string): BarChartPanel {
  return new BarChartPanel()
    .title(title)
    .description(description)
    .datasource({ ...CLICKHOUSE })
    .unit(unit)
    .span(size.w)
    .height(size.h)
    .xField(xField)
    .legend(legend(LegendDisplayMode.List))
    .withTarget(new ClickHouseQueryBuilder(query));
}

export function chStat(title: string, description: string, unit: string, size: Size, query: ClickHouseQuery): StatPanel {
  return new StatPanel().title(title).description(description).datasource({ ...CLICKHOUSE }).unit(unit).span(size.w).height(size.h).withTarget(new ClickHouseQueryBuilder(query));
}

/** Pair matrix: rows = src, columns = dst, cells = `value` (Grafana's groupingToMatrix). */
export function pairMatrix(valueField: string): DataTransformerConfig[] {
  return [
    { id: "organize", options: { includeByName: { src: true, dst: true, [valueField]: true } } },
    { id: "groupingToMatrix", options: { rowField: "src", columnField: "dst", valueField, emptyValue: "null" } },
  ];
}

/** Value mappings for 0/1 gauges rendered as states. */
export function binaryStates(zero: { text: string; color: string }, one: { text: string; color: string }): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { "0": { text: zero.text, color: zero.color, index: 0 }, "1": { text: one.text, color: one.color, index: 1 } },
    },
  ];
}
