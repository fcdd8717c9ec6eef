// The WAN emulator: a userspace proxy per directed link between the lab's endpoints
// (regions, plus "observer" endpoints such as the analyzer), with settable latency, jitter,
// loss, bandwidth and cuts. Region code runs unmodified: it is configured with the
// addresses route() hands out, as it would be with a NAT's port mapping. Everything binds
// and sends on 127.0.0.1 only; a non-loopback target is refused at start.
import { Registry } from "prom-client";
import { systemClock, type Clock, type TimerHandle } from "../../core/clock.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { ConfigError, InvalidStateError } from "../../core/errors.js";
import { DeliveryScheduler } from "./delivery-scheduler.js";
import { defaultLatencyMs, OBSERVER_LATENCY_MS } from "./latency-table.js";
import { defaultLinkParams, type LinkPatch } from "./link-params.js";
import { systemRandom, type RandomSource } from "../../core/random.js";
import { bindUdpPortRange, type BoundUdpRange } from "./port-range.js";
import { TcpLinkProxy } from "./tcp-link-proxy.js";
import { UdpLinkProxy } from "./udp-link-proxy.js";
import { WanLink, type LinkView } from "./wan-link.js";
import { WanMetrics } from "./wan-metrics.js";
import { cutLinks, linkKey, type CutKind } from "./cuts.js";
import { buildEndpoints, directedPairs, isLoopbackTarget, LOOPBACK_HOST, mapRelayPort, rangeSize, type Endpoint, type EndpointSpec, type PortRange, type WanRoute } from "./topology.js";

export interface WanEmulatorOptions {
  regions: readonly EndpointSpec[];
  /** Outside endpoints (analyzer, probes): partition leaves their links up, isolate cuts them. */
  observers?: readonly EndpointSpec[];
  /** Initial settings per pair, applied to both directions (the scenario file's `links:`). */
  links?: ReadonlyArray<{ between: readonly [string, string]; params: LinkPatch }>;
  /** Default one-way latency of a region pair; the realistic table unless given. */
  latencyMs?: (a: string, b: string) => number;
  /** Must be 127.0.0.1 (the default): the emulator refuses anything else. */
  listenHost?: string;
  /** Allocate UDP proxy ranges upwards from here instead of at random free bases. */
  udpPortBase?: number;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  random?: RandomSource;
}

export interface ListeningSocket {
  proto: "tcp" | "udp";
  address: string;
  port: number;
}

export interface CutHandle {
  id: string;
  kind: CutKind;
  names: string[];
  /** Heals this cut now (idempotent); the `forMs` timer is cancelled. */
  heal(): void;
}

interface ActiveCut {
  handle: CutHandle;
  links: WanLink[];
  timer: TimerHandle | null;
}

export class WanEmulator {
  private readonly links = new Map<string, WanLink>();
  private readonly tcp = new Map<string, TcpLinkProxy>();
  private readonly udp = new Map<string, UdpLinkProxy>();
  private readonly cuts = new Map<string, ActiveCut>();
  private readonly linkDownTimers = new Map<string, TimerHandle>();
  private nextCutId = 1;
  private closed = false;

  readonly endpoints: readonly Endpoint[];
  readonly registry: Registry;
  private readonly scheduler: DeliveryScheduler;
  private readonly clock: Clock;
  private readonly logger: Logger;

  private constructor(endpoints: readonly Endpoint[], scheduler: DeliveryScheduler, clock: Clock, logger: Logger, registry: Registry) {
    this.endpoints = endpoints;
    this.scheduler = scheduler;
    this.clock = clock;
    this.logger = logger;
    this.registry = registry;
  }

  /** Validates the topology, binds every proxy on 127.0.0.1 and returns the running emulator. */
  static async start(options: WanEmulatorOptions): Promise<WanEmulator> {
    const listenHost = options.listenHost ?? LOOPBACK_HOST;
    if (!isLoopbackTarget(listenHost)) {
      throw new ConfigError("listenHost", listenHost, `${LOOPBACK_HOST}: the WAN emulator never listens off loopback`);
    }
    const endpoints = buildEndpoints(options.regions, options.observers ?? []);
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const registry = options.registry ?? new Registry();
    const random = options.random ?? systemRandom;
    const latency = options.latencyMs ?? defaultLatencyMs;
    const emu = new WanEmulator(endpoints, new DeliveryScheduler(clock), clock, logger, registry);
    const metrics = new WanMetrics(registry);
    for (const [a, b] of directedPairs(endpoints)) {
      const ms = a.kind === "observer" || b.kind === "observer" ? OBSERVER_LATENCY_MS : latency(a.name, b.name);
      emu.links.set(linkKey(a.name, b.name), new WanLink(a.name, b.name, defaultLinkParams(ms), metrics.forLink(a.name, b.name), random));
    }
    for (const l of options.links ?? []) emu.setPair(l.between, l.params);
    try {
      await emu.bindProxies(options.udpPortBase);
    } catch (err) {
      await emu.close();
      throw err;
    }
    logger.info({ endpoints: endpoints.map((e) => e.name), links: emu.links.size }, "WanEmulator.start() | running");
    return emu;
  }

  /** How `from` reaches `to`: the HTTP base URL and the relay port mapping to configure it with. */
  route(from: string, to: string): WanRoute {
    const link = this.link(from, to);
    const target = this.endpoint(to);
    const r = target.relayPortRange;
    return {
      from,
      to,
      httpPort: link.httpProxyPort,
      httpUrl: link.httpProxyPort === null ? null : `http://${LOOPBACK_HOST}:${link.httpProxyPort}`,
      relay: r === null || link.relayProxyBase === null ? null : { host: LOOPBACK_HOST, targetMin: r.min, targetMax: r.max, proxyBase: link.relayProxyBase },
    };
  }

  /** Every route out of `from`: the peer configuration to start that endpoint with. */
  routesFrom(from: string): WanRoute[] {
    this.endpoint(from);
    return [...this.links.values()].filter((l) => l.from === from).map((l) => this.route(from, l.to));
  }

  /** The proxy port `from` sends to in order to reach `to`'s relay port `port`. */
  mapRelayPort(from: string, to: string, port: number): number {
    const relay = this.route(from, to).relay;
    if (relay === null) throw new ConfigError("to", to, "an endpoint with a relayPortRange");
    return mapRelayPort(relay, port);
  }

  getLink(from: string, to: string): LinkView {
    return this.link(from, to).view();
  }

  listLinks(): LinkView[] {
    return [...this.links.values()].map((l) => l.view());
  }

  /** Changes one directed link's settings, effective for the next packet. */
  setLink(from: string, to: string, patch: LinkPatch): LinkView {
    this.assertOpen();
    const link = this.link(from, to);
    if (link.update(patch)) this.stateChanged(link);
    return link.view();
  }

  /** Changes both directions between a and b. */
  setPair(between: readonly [string, string], patch: LinkPatch): void {
    this.setLink(between[0], between[1], patch);
    this.setLink(between[1], between[0], patch);
  }

  /** Takes both directions between a and b down; back up after `forMs` when given. */
  linkDown(between: readonly [string, string], forMs?: number): void {
    cutLinks("linkDown", between, this.endpoints);
    this.setPair(between, { down: true });
    const key = pairKey(between);
    this.linkDownTimers.get(key)?.cancel();
    this.linkDownTimers.delete(key);
    if (forMs !== undefined) {
      this.linkDownTimers.set(
        key,
        this.clock.setTimeout(() => {
          this.linkDownTimers.delete(key);
          if (!this.closed) this.linkUp(between);
        }, forMs),
      );
    }
  }

  linkUp(between: readonly [string, string]): void {
    const key = pairKey(between);
    this.linkDownTimers.get(key)?.cancel();
    this.linkDownTimers.delete(key);
    this.setPair(between, { down: false });
  }

  /** Cuts `regions` off from the other regions (observers still reach them), for `forMs` or until healed. */
  partition(regions: readonly string[], forMs?: number): CutHandle {
    return this.applyCut("partition", regions, forMs);
  }

  /** Cuts `regions` off from everything that goes through the emulator, observers included. */
  isolate(regions: readonly string[], forMs?: number): CutHandle {
    return this.applyCut("isolate", regions, forMs);
  }

  /** Removes every partition and isolation and brings every link administratively up. */
  heal(): void {
    this.assertOpen();
    for (const cut of [...this.cuts.values()]) cut.handle.heal();
    for (const [key, timer] of this.linkDownTimers) {
      timer.cancel();
      this.linkDownTimers.delete(key);
    }
    for (const link of this.links.values()) if (link.update({ down: false })) this.stateChanged(link);
  }

  /** Heals one partition/isolation by id (`partition#2`); false when no such cut is active. */
  healCut(id: string): boolean {
    const cut = this.cuts.get(id);
    if (cut === undefined) return false;
    cut.handle.heal();
    return true;
  }

  activeCuts(): Array<{ id: string; kind: CutKind; names: string[] }> {
    return [...this.cuts.values()].map((c) => ({ id: c.handle.id, kind: c.handle.kind, names: c.handle.names }));
  }

  /** Every socket the emulator listens on, as the kernel reports it. */
  listeningSockets(): ListeningSocket[] {
    const out: ListeningSocket[] = [];
    for (const p of this.tcp.values()) out.push({ proto: "tcp", address: p.address, port: p.port });
    for (const p of this.udp.values()) {
      for (const s of p.sockets) {
        const a = s.address();
        out.push({ proto: "udp", address: a.address, port: a.port });
      }
    }
    return out;
  }

  /** Stops every proxy, timer and pending delivery. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.close();
    for (const c of this.cuts.values()) c.timer?.cancel();
    this.cuts.clear();
    for (const t of this.linkDownTimers.values()) t.cancel();
    this.linkDownTimers.clear();
    await Promise.all([...[...this.tcp.values()].map((p) => p.close()), ...[...this.udp.values()].map((p) => p.close())]);
    this.tcp.clear();
    this.udp.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private applyCut(kind: CutKind, regions: readonly string[], forMs: number | undefined): CutHandle {
    this.assertOpen();
    if (forMs !== undefined && (!Number.isFinite(forMs) || forMs < 0)) throw new ConfigError(`${kind}.for`, forMs, "a duration of 0 ms or more");
    const links = cutLinks(kind, regions, this.endpoints).map((k) => this.link(k.from, k.to));
    const id = `${kind}#${this.nextCutId++}`;
    const handle: CutHandle = {
      id,
      kind,
      names: [...regions],
      heal: () => {
        const cut = this.cuts.get(id);
        if (cut === undefined) return;
        this.cuts.delete(id);
        cut.timer?.cancel();
        for (const l of cut.links) if (l.removeCut(id)) this.stateChanged(l);
        this.logger.info({ cut: id }, "WanEmulator.heal() | cut healed");
      },
    };
    const cut: ActiveCut = { handle, links, timer: null };
    this.cuts.set(id, cut);
    for (const l of links) if (l.addCut(id)) this.stateChanged(l);
    if (forMs !== undefined) cut.timer = this.clock.setTimeout(() => { handle.heal(); }, forMs);
    this.logger.info({ cut: id, names: regions, forMs }, `WanEmulator.${kind}() | cut applied`);
    return handle;
  }

  private stateChanged(link: WanLink): void {
    this.tcp.get(linkKey(link.from, link.to))?.linkStateChanged();
    this.tcp.get(linkKey(link.to, link.from))?.linkStateChanged();
  }

  private async bindProxies(udpPortBase: number | undefined): Promise<void> {
    const deps = { clock: this.clock, scheduler: this.scheduler, logger: this.logger };
    const avoid: PortRange[] = [];
    for (const e of this.endpoints) {
      if (e.relayPortRange !== null) avoid.push(e.relayPortRange);
      if (e.httpPort !== null) avoid.push({ min: e.httpPort, max: e.httpPort });
    }
    let nextBase = udpPortBase;
    for (const link of this.links.values()) {
      const from = this.endpoint(link.from);
      const to = this.endpoint(link.to);
      const back = this.link(link.to, link.from);
      if (to.httpPort !== null) {
        const proxy = await TcpLinkProxy.listen(link, back, to.httpPort, deps);
        this.tcp.set(linkKey(link.from, link.to), proxy);
        link.httpProxyPort = proxy.port;
        avoid.push({ min: proxy.port, max: proxy.port });
      }
      if (to.relayPortRange !== null) {
        const size = rangeSize(to.relayPortRange);
        const bound: BoundUdpRange = await bindUdpPortRange(size, { host: LOOPBACK_HOST, avoid, ...(nextBase === undefined ? {} : { firstBase: nextBase }) });
        avoid.push({ min: bound.base, max: bound.base + size - 1 });
        if (nextBase !== undefined) nextBase = bound.base + size;
        this.udp.set(linkKey(link.from, link.to), new UdpLinkProxy(link, back, from.relayPortRange, to.relayPortRange, bound, deps));
        link.relayProxyBase = bound.base;
      }
    }
    for (const [key, proxy] of this.udp) {
      const link = this.links.get(key);
      if (link !== undefined) proxy.reverse = this.udp.get(linkKey(link.to, link.from)) ?? null;
    }
  }

  private link(from: string, to: string): WanLink {
    const l = this.links.get(linkKey(from, to));
    if (l === undefined) {
      const names = this.endpoints.map((e) => e.name).join(", ");
      throw new ConfigError("link", `${from}>${to}`, `a link between two different endpoints of ${names} (not observer to observer)`);
    }
    return l;
  }

  private endpoint(name: string): Endpoint {
    const e = this.endpoints.find((x) => x.name === name);
    if (e === undefined) throw new ConfigError("endpoint", name, `one of ${this.endpoints.map((x) => x.name).join(", ")}`);
    return e;
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidStateError("WanEmulator is closed");
  }
}

function pairKey(between: readonly [string, string]): string {
  return [...between].sort().join("|");
}
