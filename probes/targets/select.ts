// `relaywatch probe --target relaywatch|whip|janus`: which probe target the agent uses, from
// the flags. Pure: checks the combination and expands the region into `--janus-url`.
import { ConfigError } from "../../core/errors.js";
import type { Region } from "../../core/region.js";
import { TARGET_KINDS, type TargetKind } from "./target.js";

/** 1234: the room id of Janus' sample VideoRoom config, so a stock Janus needs no new room. */
export const DEFAULT_JANUS_ROOM = 1234;

export interface TargetFlags {
  target: string;
  region: Region;
  whipUrl?: string | undefined;
  whepUrl?: string | undefined;
  janusUrl?: string | undefined;
  janusRoom?: string | undefined;
}

/** The agent's `janus` option (undefined for the WHIP/WHEP targets); bad combinations throw ConfigError. */
export function janusTargetOf(f: TargetFlags): { baseUrl: string; room: number } | undefined {
  if (!(TARGET_KINDS as readonly string[]).includes(f.target)) throw new ConfigError("--target", f.target, TARGET_KINDS.join(" | "));
  const kind = f.target as TargetKind;
  if (kind === "whip" && (f.whipUrl === undefined || f.whepUrl === undefined)) throw new ConfigError("--target", kind, "--whip-url and --whep-url templates for the WHIP/WHEP server");
  if (kind !== "janus") {
    if (f.janusUrl !== undefined) throw new ConfigError("--janus-url", f.janusUrl, "used with --target janus");
    return undefined;
  }
  if (f.janusUrl === undefined) throw new ConfigError("--target", kind, "--janus-url, the Janus HTTP API base (e.g. http://janus-{region}:8088/janus)");
  if (f.whipUrl !== undefined || f.whepUrl !== undefined) throw new ConfigError("--target", kind, "no --whip-url/--whep-url (Janus is reached through its HTTP API)");
  const baseUrl = f.janusUrl.replaceAll("{region}", encodeURIComponent(f.region));
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError("--janus-url", f.janusUrl, "an http(s) URL template like http://janus-{region}:8088/janus");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError("--janus-url", f.janusUrl, "an http(s) URL");
  const room = f.janusRoom === undefined ? DEFAULT_JANUS_ROOM : Number(f.janusRoom);
  if (!Number.isSafeInteger(room) || room <= 0) throw new ConfigError("--janus-room", f.janusRoom, "a positive integer VideoRoom room id");
  return { baseUrl, room };
}
