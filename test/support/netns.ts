// Linux network namespaces as hosts, for end-to-end tests of relaywatch across "machines":
// each host is a namespace with one veth interface and its own private address, all wired
// to a bridge inside a hub namespace the world also creates, so nothing is added to the
// machine's own network namespace and addresses never clash with the host's or another
// run's. Processes run inside a host with `ip netns exec NS …`, in their own process group.
//
// Names are unique per run (`rwt-<pid>-<random>-<host>`). Teardown kills every process and
// deletes every namespace (the veth pairs and the bridge go with them) — in destroy(), on
// SIGINT/SIGTERM/SIGHUP and at process exit. A detached janitor (sh) waits for the test
// process and does the same if it dies without tearing down (SIGKILL, a runner's timeout);
// the next run also sweeps namespaces whose owning pid is gone. Needs root and iproute2.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { findBinary } from "./binaries.js";

const IP = findBinary("ip", ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
const PREFIX = "rwt-";
/** 5 s: a relaywatch process closes in well under a second; then SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** Whether this process can build namespaces (root, iproute2, a kernel that allows it); why not otherwise. */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== "linux") return { ok: false, reason: "not Linux" };
  if (IP === null) return { ok: false, reason: "iproute2 (ip) is not installed" };
  if (process.getuid?.() !== 0) return { ok: false, reason: "not root (network namespaces need CAP_SYS_ADMIN)" };
  const probe = `${PREFIX}${process.pid}-probe${randomBytes(2).toString("hex")}`;
  try {
    execFileSync(IP, ["netns", "add", probe], { stdio: "pipe" });
    execFileSync(IP, ["netns", "del", probe], { stdio: "pipe" });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `ip netns add failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface NetnsHost {
  /** The host's name in the test, e.g. "sfu-us-east". */
  name: string;
  /** Its namespace. */
  ns: string;
  /** Its one address on the world's bridge, e.g. 10.231.0.11. */
  address: string;
}

export interface HostSpec {
  name: string;
  /** Last octet of its address in the world's /24. */
  octet: number;
  /** Bring its loopback interface up (default true); down, nothing in it can use 127.0.0.1 at all. */
  loopback?: boolean;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep stdin open as a pipe (default: ignored). */
  stdin?: boolean;
}

export interface HostProcess {
  host: NetnsHost;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function ip(args: readonly string[]): void {
  execFileSync(IP ?? "ip", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
}

function tryIp(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

/** Namespaces of earlier runs whose process is gone (killed outright): deleted. */
function sweepLeftovers(): void {
  let list: string;
  try {
    list = execFileSync(IP ?? "ip", ["netns", "list"], { encoding: "utf8" });
  } catch {
    return;
  }
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m === null || pidAlive(Number(m[1]))) continue;
    tryIp(["netns", "del", name]);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class NetnsWorld {
  readonly id: string;
  /** The world's /24, e.g. 10.231.0 (namespaced: it never meets the host's routes). */
  readonly subnet: string;
  private readonly hub: string;
  private readonly hosts = new Map<string, NetnsHost>();
  private readonly processes: HostProcess[] = [];
  private readonly namespaces: string[] = [];
  private destroyed = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.destroySync();
    process.kill(process.pid, signal);
  };
  private readonly onExit = (): void => { this.destroySync(); };
  private janitor: ChildProcess | null = null;

  private constructor(subnet: string) {
    this.id = `${PREFIX}${process.pid}-${randomBytes(2).toString("hex")}`;
    this.subnet = subnet;
    this.hub = `${this.id}-hub`;
  }

  /** Builds the hub (a bridge) and one namespace per host, each with its address; torn down if any step fails. */
  static create(hosts: readonly HostSpec[], subnet = "10.231.0"): NetnsWorld {
    if (IP === null) throw new Error("iproute2 (ip) is not installed");
    sweepLeftovers();
    const world = new NetnsWorld(subnet);
    world.install();
    try {
      world.addNamespace(world.hub);
      ip(["-n", world.hub, "link", "add", "br0", "type", "bridge"]);
      ip(["-n", world.hub, "link", "set", "br0", "up"]);
      hosts.forEach((h, i) => { world.addHost(h, i); });
    } catch (err) {
      world.destroySync();
      throw err;
    }
    return world;
  }

  host(name: string): NetnsHost {
    const h = this.hosts.get(name);
    if (h === undefined) throw new Error(`no host ${name} in ${this.id}`);
    return h;
  }

  /** Runs `command args` inside `host` (its own process group), collecting stdout and stderr together. */
  spawn(hostName: string, command: string, args: readonly string[], options: SpawnOptions = {}): HostProcess {
    if (this.destroyed) throw new Error(`${this.id} is destroyed`);
    const host = this.host(hostName);
    const child = spawn(IP ?? "ip", ["netns", "exec", host.ns, command, ...args], {
      cwd: options.cwd, env: options.env ?? {}, stdio: [options.stdin === true ? "pipe" : "ignore", "pipe", "pipe"], detached: true,
    });
    let out = "";
    const take = (d: Buffer): void => { out = (out + d.toString("utf8")).slice(-200_000); };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    const exited = new Promise<number | null>((resolve) => {
      child.once("error", () => { resolve(null); });
      child.once("close", (code) => { resolve(code); });
    });
    const p: HostProcess = { host, child, output: () => out, exited };
    this.processes.push(p);
    return p;
  }

  /** SIGKILL to a process's whole group (a host dying), resolved once it has exited. */
  async kill(p: HostProcess): Promise<void> {
    signalGroup(p.child, "SIGKILL");
    await p.exited;
  }

  /** Stops every process (SIGTERM, SIGKILL after a grace), then deletes every namespace. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const running = this.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of running) signalGroup(p.child, "SIGTERM");
    const timer = setTimeout(() => { for (const p of running) signalGroup(p.child, "SIGKILL"); }, STOP_GRACE_MS);
    await Promise.all(running.map((p) => p.exited));
    clearTimeout(timer);
    this.destroySync();
  }

  /** Namespaces that still exist (for the teardown check). */
  remainingNamespaces(): string[] {
    const list = execFileSync(IP ?? "ip", ["netns", "list"], { encoding: "utf8" });
    return list.split("\n").map((l) => l.split(" ")[0] ?? "").filter((n) => n.startsWith(this.id));
  }

  private addHost(spec: HostSpec, index: number): void {
    const ns = `${this.id}-${spec.name}`;
    const address = `${this.subnet}.${spec.octet}`;
    this.addNamespace(ns);
    const hubSide = `v${index}`;
    ip(["-n", this.hub, "link", "add", hubSide, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    ip(["-n", this.hub, "link", "set", hubSide, "master", "br0", "up"]);
    ip(["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"]);
    ip(["-n", ns, "link", "set", "eth0", "up"]);
    // Loopback up for what is internal to one host (mediasoup's worker legs); nothing of the world uses it.
    if (spec.loopback !== false) ip(["-n", ns, "link", "set", "lo", "up"]);
    this.hosts.set(spec.name, { name: spec.name, ns, address });
  }

  private addNamespace(ns: string): void {
    ip(["netns", "add", ns]);
    this.namespaces.push(ns);
  }

  private install(): void {
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, this.onSignal);
    process.once("exit", this.onExit);
    // Kills what runs in this world's namespaces and deletes them once this process is gone.
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
for ns in $("${IP ?? "ip"}" netns list | awk '{print $1}' | grep '^${this.id}-'); do
  "${IP ?? "ip"}" netns pids "$ns" | xargs -r kill -9
  "${IP ?? "ip"}" netns del "$ns"
done`;
    this.janitor = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
    this.janitor.unref();
  }

  private destroySync(): void {
    for (const p of this.processes) signalGroup(p.child, "SIGKILL");
    // Deleting the hub deletes the bridge and every veth pair (a veth dies with either end).
    for (const ns of [...this.namespaces].reverse()) tryIp(["netns", "del", ns]);
    this.namespaces.length = 0;
    if (this.janitor !== null) signalGroup(this.janitor, "SIGKILL");
    if (!this.destroyed) {
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(s, this.onSignal);
      process.off("exit", this.onExit);
    }
    this.destroyed = true;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface AgentReply {
  status: number;
  body: string;
}

/** HTTP(S) requests made from inside one host of the world (test/support/netns-fetch-agent.mjs). */
export class NetnsHttpClient {
  private readonly p: HostProcess;
  private readonly waiting = new Map<number, { resolve: (r: AgentReply) => void; reject: (e: Error) => void }>();
  private next = 0;
  private buffer = "";

  constructor(world: NetnsWorld, hostName: string, caFile: string) {
    const agent = new URL("./netns-fetch-agent.mjs", import.meta.url).pathname;
    this.p = world.spawn(hostName, process.execPath, [agent], { env: { NODE_EXTRA_CA_CERTS: caFile }, stdin: true });
    this.p.child.stdout?.on("data", (d: Buffer) => {
      this.buffer += d.toString("utf8");
      let nl = this.buffer.indexOf("\n");
      while (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.settle(JSON.parse(line) as { id: number; status?: number; body?: string; error?: string });
        nl = this.buffer.indexOf("\n");
      }
    });
    void this.p.exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error(`the fetch agent in ${hostName} exited: ${this.p.output()}`));
      this.waiting.clear();
    });
  }

  get(url: string, headers: Record<string, string> = {}): Promise<AgentReply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.p.child.stdin?.write(`${JSON.stringify({ id, url, headers })}\n`);
    });
  }

  private settle(m: { id: number; status?: number; body?: string; error?: string }): void {
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (w === undefined) return;
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve({ status: m.status ?? 0, body: m.body ?? "" });
  }
}
