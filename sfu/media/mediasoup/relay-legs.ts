// The mediasoup engine's relay pipes, worker to worker (issue 17): each pipe is a worker
// PlainTransport bound on a port inside rtpPortRange (what the lab's WAN emulator maps one
// to one), so relay RTP never passes through Node. A relay-out is a pipe Consumer on a
// transport connected to the remote relay-in; a relay-in is a pipe Producer on a transport
// connected (comedia off) to the one upstream it believes, so the worker itself refuses RTP
// from any other address — the loop guard's source pin (pipe-drop.ts) without per-packet JS.
// What the worker does not give: per-reason drop counts and a hold buffer for packets that
// arrive before the track's media is known (those are refused); see MediaEngine.relayPlane.
// Plain RTP over UDP without SRTP or ICE, as the werift engine speaks: the engines relay to
// each other.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { MediaError } from "../errors.js";
import { ANY_IP, type SourcePin } from "../pipe-drop.js";
import type { PortRange, UdpEndpoint } from "../engine.js";
import type { TrackMedia } from "../track-media.js";
import { pipeConsumerCapabilities, pipeProducerParameters } from "./codecs.js";
import type { MsConsumer, MsPlainTransport, MsProducer, MsRouter } from "./mediasoup-api.js";
import { asMediaError, closeQuietly } from "./sessions.js";

export interface PlainListen {
  ip: string;
  announcedIp?: string;
}

/**
 * A PlainTransport on the first free port of `range`, scanning from a random start (like
 * udp-port.ts bindUdpInRange) so engines sharing a range rarely contend. The worker answers
 * a taken port with an error; a closed router ends the scan at once.
 */
export async function plainTransportInRange(router: MsRouter, listen: PlainListen, range: PortRange, comedia: boolean, random: () => number = Math.random): Promise<MsPlainTransport> {
  const size = range.max - range.min + 1;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size && !router.closed; i++) {
    const port = range.min + ((start + i) % size);
    try {
      return await router.createPlainTransport({ listenIp: listen, port, rtcpMux: true, comedia, enableSrtp: false });
    } catch {
      // Taken (by another pipe, engine or process): the next one.
    }
  }
  throw new MediaError("no_ports", `no free UDP port for a relay pipe on ${listen.ip} in ${range.min}-${range.max}`);
}

/**
 * Applies a relay-in's negotiated pin (pipe-drop.ts negotiatedPin()) in the worker: one
 * known address → the transport is connected to it (comedia off: the worker ignores RTP from
 * anyone else). No single address (an older peer, a host-name peer, several routes) → the
 * port is reopened with comedia to latch the first sender, as the werift pipe's latch does;
 * when candidates exist, a first sender that is none of them is reported (`onForeign`).
 * Returns the transport now serving the port.
 */
export async function pinRelayIn(router: MsRouter, listen: PlainListen, transport: MsPlainTransport, pin: SourcePin, onForeign: (from: UdpEndpoint) => void): Promise<MsPlainTransport> {
  const sources = pin.kind === "fixed" ? dedupe(pin.sources) : [];
  const only = sources.length === 1 ? sources[0] : undefined;
  if (only !== undefined && only.ip !== ANY_IP) {
    await transport.connect({ ip: only.ip, port: only.port });
    return transport;
  }
  const latched = await reopenComedia(router, listen, transport);
  if (sources.length > 0) {
    latched.on("tuple", (tuple) => {
      const from = { ip: tuple.remoteIp ?? "", port: tuple.remotePort ?? 0 };
      if (!sources.some((c) => c.port === from.port && (c.ip === ANY_IP || c.ip === from.ip))) onForeign(from);
    });
  }
  return latched;
}

/** Candidates once each (peers on one host show the same address for every peer). */
function dedupe(list: readonly UdpEndpoint[]): UdpEndpoint[] {
  const seen = new Map<string, UdpEndpoint>();
  for (const e of list) seen.set(`${e.ip}|${e.port}`, e);
  return [...seen.values()];
}

/** Same port, comedia on: a relay-in whose upstream is unknown latches its first sender. */
async function reopenComedia(router: MsRouter, listen: PlainListen, old: MsPlainTransport): Promise<MsPlainTransport> {
  const port = old.tuple.localPort;
  old.close();
  try {
    return await router.createPlainTransport({ listenIp: listen, port, rtcpMux: true, comedia: true, enableSrtp: false });
  } catch (err) {
    throw new MediaError("no_ports", `relay-in port ${port} could not be reopened to latch its sender: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface RelayOutLeg {
  transport: MsPlainTransport;
  consumer: MsConsumer;
  /** What the pipe sends: the consumer's own SSRC and payload type. */
  media: TrackMedia;
}

/** A pipe Consumer of the track on a transport bound in `range` and connected to `remote`. */
export async function openRelayOut(router: MsRouter, listen: PlainListen, range: PortRange, producerId: string, media: TrackMedia, remote: UdpEndpoint, extensionBytes: number): Promise<RelayOutLeg> {
  // The worker needs an address; a peer known by host name is looked up here, once per pipe.
  const ip = isIP(remote.ip) === 0 ? (await lookup(remote.ip, { family: 4 })).address : remote.ip;
  const transport = await plainTransportInRange(router, listen, range, false);
  try {
    await transport.connect({ ip, port: remote.port });
    const consumer = await transport.consume({ producerId, rtpCapabilities: pipeConsumerCapabilities(media), paused: false });
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    const payloadType = consumer.rtpParameters.codecs[0]?.payloadType;
    if (ssrc === undefined || payloadType === undefined) throw new Error("the pipe consumer has no SSRC or payload type");
    const sent: TrackMedia = {
      kind: media.kind,
      codec: { ...media.codec, payloadType },
      ssrc,
      sourcePort: transport.tuple.localPort,
      ...(extensionBytes > 0 ? { headerExtensionBytes: extensionBytes } : {}),
    };
    return { transport, consumer, media: sent };
  } catch (err) {
    closeQuietly(transport);
    throw asMediaError(err, "negotiation_failed", "relayOut");
  }
}

/** The relay-in's Producer of exactly the TrackMedia's stream, on its (bound) transport. */
export async function produceRelayIn(transport: MsPlainTransport, media: TrackMedia, cname: string): Promise<MsProducer> {
  try {
    return await transport.produce({ kind: media.kind, rtpParameters: pipeProducerParameters(media, cname) });
  } catch (err) {
    throw asMediaError(err, "unsupported_codec", "relayIn");
  }
}
