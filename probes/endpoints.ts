// Where the agent sends WHIP and WHEP requests, and with which bearer token. Defaults follow
// the reference SFU (`<sfu>/whip/:room/:track`, `<sfu>/whep/:room/:track`); templates let a
// user point the agent at any other SFU.
import { ConfigError } from "../core/errors.js";
import type { Region, TrackId } from "../core/region.js";
import { splitTrackId } from "../core/region.js";

/** Placeholders a template may use; each value is URL-encoded. */
export const TEMPLATE_PLACEHOLDERS = ["{room}", "{track}", "{region}"] as const;

export type TokenOperation = "publish" | "subscribe";
/** A static token, or one per operation and track (HMAC-signed per-track tokens). */
export type TokenProvider = (op: TokenOperation, track: TrackId) => string | undefined;

export interface Endpoints {
  whip(track: TrackId): string;
  whep(track: TrackId): string;
  token: TokenProvider;
}

export interface EndpointOptions {
  /** The agent's own region's SFU base URL. */
  sfuUrl?: string | undefined;
  whipTemplate?: string | undefined;
  whepTemplate?: string | undefined;
  region: Region;
  token?: string | TokenProvider | undefined;
}

export function endpoints(o: EndpointOptions): Endpoints {
  const whip = o.whipTemplate ?? defaultTemplate(o.sfuUrl, "whip", "--whip-url");
  const whep = o.whepTemplate ?? defaultTemplate(o.sfuUrl, "whep", "--whep-url");
  checkTemplate("--whip-url", whip);
  checkTemplate("--whep-url", whep);
  const token = o.token;
  return {
    whip: (track) => expand(whip, track, o.region),
    whep: (track) => expand(whep, track, o.region),
    token: typeof token === "function" ? token : () => token,
  };
}

function defaultTemplate(sfuUrl: string | undefined, kind: "whip" | "whep", flag: string): string {
  if (sfuUrl === undefined) throw new ConfigError("--sfu", sfuUrl, `the region's SFU URL (or ${flag})`);
  let base: URL;
  try {
    base = new URL(sfuUrl);
  } catch {
    throw new ConfigError("--sfu", sfuUrl, "an http(s) URL like http://127.0.0.1:7001");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new ConfigError("--sfu", sfuUrl, "an http(s) URL");
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}/${kind}/{room}/{track}`;
}

function checkTemplate(flag: string, template: string): void {
  let url: URL;
  try {
    url = new URL(expandRaw(template, "probe", "t", "r"));
  } catch {
    throw new ConfigError(flag, template, "an http(s) URL template like https://sfu.example/whep/{room}/{track}");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(flag, template, "an http(s) URL template");
  if (!template.includes("{track}")) throw new ConfigError(flag, template, "a template containing {track}");
}

function expand(template: string, track: TrackId, region: Region): string {
  const { room, track: name } = splitTrackId(track);
  return expandRaw(template, room, name, region);
}

function expandRaw(template: string, room: string, track: string, region: string): string {
  return template
    .replaceAll("{room}", encodeURIComponent(room))
    .replaceAll("{track}", encodeURIComponent(track))
    .replaceAll("{region}", encodeURIComponent(region));
}
