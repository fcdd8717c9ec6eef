// Calls to peer regions' `/relay/v1/*` API (paths in relay-protocol.ts): JSON over HTTP(S),
// signed by the injected RelayCallAuth for the one region it goes to, bounded by a timeout. Failures are values (a peer being unreachable is
// normal life for a region), never exceptions; bodies are parsed by the caller's schema.
import type { Region } from "../../core/region.js";
import { describeRequestError } from "../../core/tls.js";
import { signedRelayPath } from "./auth-adapters.js";
import type { PeerDirectory } from "./peers.js";
import type { RelayCallAuth } from "./relay-call-auth.js";
import type { RelayPath } from "./relay-protocol.js";

/** 2 s: relay calls answer from memory; a peer slower than that is as good as unreachable. */
export const PEER_CALL_TIMEOUT_MS = 2_000;
/** 1 MiB: an announcement of MAX_ENTRIES tracks fits; anything bigger is not from a peer. */
export const MAX_PEER_REPLY_BYTES = 1024 * 1024;

export type PeerCallResult =
  | { ok: true; status: number; body: unknown }
  | { ok: false; error: "unknown_peer" | "unreachable" | "timeout" | "bad_reply"; detail: string };

export interface PeerCallOptions {
  timeoutMs?: number;
  traceparent?: string;
}

export class PeerClient {
  /** This region's advertised relay address (--announce), sent in pulls; none: peers use our URL's host. */
  readonly relayAddress: string | undefined;
  private readonly controller = new AbortController();
  private readonly self: Region;
  private readonly peers: PeerDirectory;
  private readonly auth: RelayCallAuth;

  constructor(self: Region, peers: PeerDirectory, auth: RelayCallAuth, relayAddress?: string) {
    this.self = self;
    this.peers = peers;
    this.auth = auth;
    this.relayAddress = relayAddress;
  }

  /** Where a call to `region`'s `path` goes; undefined for a region that is not a configured peer. */
  urlOf(region: Region, path: RelayPath): URL | undefined {
    const peer = this.peers.get(region);
    return peer === undefined ? undefined : new URL(signedRelayPath(path, this.self), peer.url);
  }

  async post(region: Region, path: RelayPath, payload: unknown, opts: PeerCallOptions = {}): Promise<PeerCallResult> {
    const url = this.urlOf(region, path);
    if (url === undefined) return { ok: false, error: "unknown_peer", detail: `${region} is not a configured peer` };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...this.auth.sign({ method: "POST", path: `${url.pathname}${url.search}`, body, from: this.self, to: region }),
    };
    if (opts.traceparent !== undefined) headers["traceparent"] = opts.traceparent;
    const timeoutMs = opts.timeoutMs ?? PEER_CALL_TIMEOUT_MS;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      return { ok: false, error: timedOut ? "timeout" : "unreachable", detail: timedOut ? `no answer in ${timeoutMs} ms` : describeRequestError(err) };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return { ok: false, error: "unreachable", detail: describeRequestError(err) };
    }
    if (text.length > MAX_PEER_REPLY_BYTES) return { ok: false, error: "bad_reply", detail: `reply of ${text.length} bytes` };
    if (text === "") return { ok: true, status: res.status, body: null };
    try {
      return { ok: true, status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, error: "bad_reply", detail: `status ${res.status} with a body that is not JSON` };
    }
  }

  /** Aborts every call in flight (node shutdown). */
  close(): void {
    this.controller.abort();
  }
}
