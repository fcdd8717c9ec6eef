// One TURN allocation, measured: Allocate (RFC 8656 §7.2) with the long-term credential
// mechanism (a first unauthenticated request earns the 401 with REALM and NONCE, the second
// carries MESSAGE-INTEGRITY), then the allocation is released at once (Refresh, LIFETIME 0)
// so probes never hold server resources. The outcome is a value, never thrown: the time it
// took, and on refusal the server's ERROR-CODE (401 bad credentials, 403 forbidden, 437
// allocation mismatch, 486 quota reached, 508 insufficient capacity...).
import { createHash } from "node:crypto";
import { classes, Message, methods } from "werift";
import type { Clock } from "../../core/clock.js";
import type { TurnCredentials } from "./credentials.js";
import type { TurnServer } from "./ice-server.js";
import { StunWire, type WireFailure } from "./stun-wire.js";

/** REQUESTED-TRANSPORT UDP (17 in the first byte, RFC 8656 §18.7): relayed media is RTP over UDP. */
const REQUESTED_TRANSPORT_UDP = 0x11_00_00_00;
/** 60 s: the shortest lifetime worth asking for; the probe releases the allocation at once anyway. */
const PROBE_LIFETIME_S = 60;
/** 300 ms: the release is best effort; the server frees the allocation at its lifetime anyway. */
const RELEASE_WAIT_MS = 300;

export type AllocationOutcome =
  | { ok: true; ms: number; relayed: string }
  | { ok: false; ms: number; kind: "refused"; code: number; detail: string }
  | { ok: false; ms: number; kind: "timeout" | "unreachable" | "bad_answer"; code: null; detail: string };

export interface AllocateOptions {
  server: TurnServer;
  credentials: TurnCredentials;
  clock: Clock;
  timeoutMs: number;
  /** The local address to send from (UDP). */
  bindAddress: string;
}

export async function allocate(o: AllocateOptions): Promise<AllocationOutcome> {
  const t0 = o.clock.now();
  const elapsed = (): number => o.clock.now() - t0;
  const left = (): number => Math.max(1, o.timeoutMs - elapsed());
  const wire = new StunWire(o.server, o.clock, o.bindAddress);
  try {
    const opened = await wire.open(o.timeoutMs);
    if (opened !== null) return wireFailure(opened, elapsed(), o.timeoutMs);
    const challenge = await wire.request(allocateRequest(), left());
    if (!(challenge instanceof Message)) return wireFailure(challenge, elapsed(), o.timeoutMs);
    if (challenge.messageClass === classes.RESPONSE) return success(challenge, elapsed());
    const [code, reason] = errorCode(challenge);
    const realm = challenge.getAttributeValue("REALM") as string | undefined;
    const nonce: unknown = challenge.getAttributeValue("NONCE");
    if (code !== 401 || realm === undefined || nonce === undefined) return refused(code, reason, elapsed());
    const key = createHash("md5").update(`${o.credentials.username}:${realm}:${o.credentials.credential}`).digest();
    const auth = (m: Message): Message => m.setAttribute("USERNAME", o.credentials.username).setAttribute("REALM", realm).setAttribute("NONCE", nonce).addMessageIntegrity(key);
    const answer = await wire.request(auth(allocateRequest()), left());
    if (!(answer instanceof Message)) return wireFailure(answer, elapsed(), o.timeoutMs);
    if (answer.messageClass !== classes.RESPONSE) return refused(...errorCode(answer), elapsed());
    const outcome = success(answer, elapsed());
    await wire.request(auth(new Message(methods.REFRESH, classes.REQUEST).setAttribute("LIFETIME", 0)), RELEASE_WAIT_MS);
    return outcome;
  } finally {
    wire.close();
  }
}

/** One line for a result's reason: what the server said, or why there was no answer. */
export function describeAllocation(a: AllocationOutcome): string {
  if (a.ok) return `TURN allocation ok in ${Math.round(a.ms)} ms (relay ${a.relayed})`;
  if (a.kind === "refused") return `TURN allocation refused: ${a.code} ${a.detail}`;
  return `TURN allocation failed (${a.kind}): ${a.detail}`;
}

function allocateRequest(): Message {
  return new Message(methods.ALLOCATE, classes.REQUEST).setAttribute("LIFETIME", PROBE_LIFETIME_S).setAttribute("REQUESTED-TRANSPORT", REQUESTED_TRANSPORT_UDP);
}

function errorCode(m: Message): [number, string] {
  const v: unknown = m.getAttributeValue("ERROR-CODE");
  if (Array.isArray(v) && typeof v[0] === "number") return [v[0], typeof v[1] === "string" ? v[1] : ""];
  return [0, "error response without ERROR-CODE"];
}

function success(m: Message, ms: number): AllocationOutcome {
  const relayed: unknown = m.getAttributeValue("XOR-RELAYED-ADDRESS");
  if (!Array.isArray(relayed)) return { ok: false, ms, kind: "bad_answer", code: null, detail: "success without XOR-RELAYED-ADDRESS" };
  return { ok: true, ms, relayed: `${String(relayed[0])}:${String(relayed[1])}` };
}

function refused(code: number, reason: string, ms: number): AllocationOutcome {
  return { ok: false, ms, kind: "refused", code, detail: reason.slice(0, 200) };
}

function wireFailure(f: WireFailure, ms: number, timeoutMs: number): AllocationOutcome {
  if (f.kind === "timeout") return { ok: false, ms, kind: "timeout", code: null, detail: `no answer within ${timeoutMs} ms` };
  return { ok: false, ms, kind: "unreachable", code: null, detail: f.detail.slice(0, 200) };
}
