// One directed link of the emulated WAN: its settings, the cuts currently applied to it,
// and the shaping state every packet crossing it shares. No sockets here.
import { applyLinkPatch, type LinkParams, type LinkPatch } from "./link-params.js";
import { newLinkRuntime, newOrderState, shapeDatagram, shapeStreamChunk, type DatagramVerdict, type LinkRuntime, type OrderState } from "./link-shaper.js";
import type { LinkCounters } from "./wan-metrics.js";
import type { RandomSource } from "../../core/random.js";

/** What GET /v1/links and emulator.links() show for a link. */
export interface LinkView extends LinkParams {
  from: string;
  to: string;
  /** Active partitions/isolations/linkDowns covering this link, e.g. `partition#2`. */
  cutBy: string[];
  /** True when nothing crosses the link: `down`, or any cut. */
  effectiveDown: boolean;
  /** The port `from` uses for `to`'s HTTP, and the start of `to`'s relay proxy range. */
  httpProxyPort: number | null;
  relayProxyBase: number | null;
}

export class WanLink {
  private paramsValue: LinkParams;
  private readonly runtime: LinkRuntime = newLinkRuntime();
  private readonly udpOrder: OrderState = newOrderState();
  private readonly cuts = new Set<string>();
  httpProxyPort: number | null = null;
  relayProxyBase: number | null = null;

  readonly from: string;
  readonly to: string;
  readonly counters: LinkCounters;
  private readonly random: RandomSource;

  constructor(from: string, to: string, params: LinkParams, counters: LinkCounters, random: RandomSource) {
    this.from = from;
    this.to = to;
    this.counters = counters;
    this.random = random;
    this.paramsValue = params;
    this.publishState();
  }

  get params(): LinkParams {
    return this.paramsValue;
  }

  get effectiveDown(): boolean {
    return this.paramsValue.down || this.cuts.size > 0;
  }

  /** Returns whether effectiveDown changed. */
  update(patch: LinkPatch): boolean {
    const was = this.effectiveDown;
    this.paramsValue = applyLinkPatch(this.paramsValue, patch, `links[${this.from}>${this.to}]`);
    this.publishState();
    return was !== this.effectiveDown;
  }

  /** Returns whether effectiveDown changed. */
  addCut(id: string): boolean {
    const was = this.effectiveDown;
    this.cuts.add(id);
    this.publishState();
    return was !== this.effectiveDown;
  }

  /** Returns whether effectiveDown changed. */
  removeCut(id: string): boolean {
    const was = this.effectiveDown;
    this.cuts.delete(id);
    this.publishState();
    return was !== this.effectiveDown;
  }

  shapeDatagram(now: number, bytes: number): DatagramVerdict {
    if (this.effectiveDown) return { dropped: "down" };
    return shapeDatagram(this.paramsValue, this.runtime, this.udpOrder, now, bytes, this.random);
  }

  shapeStreamChunk(order: OrderState, now: number, bytes: number): number {
    return shapeStreamChunk(this.paramsValue, this.runtime, order, now, bytes, this.random);
  }

  view(): LinkView {
    return {
      from: this.from,
      to: this.to,
      ...this.paramsValue,
      cutBy: [...this.cuts].sort(),
      effectiveDown: this.effectiveDown,
      httpProxyPort: this.httpProxyPort,
      relayProxyBase: this.relayProxyBase,
    };
  }

  private publishState(): void {
    this.counters.setState(this.paramsValue.latencyMs, !this.effectiveDown);
  }
}
