// Which directed links a region-level fault cuts, as pure functions of the endpoint list.
// Semantics are DESIGN's scenario format:
//  - partition [A,…]: cut A,… from the other *regions* (control and media); observers
//    (analyzer, probes) still reach them; the listed regions still reach each other.
//  - isolate [A,…]: cut A,… from everything that goes through the emulator, observers included.
//  - linkDown [a,b]: both directions between a and b.
import { ConfigError } from "../../core/errors.js";
import type { Endpoint } from "./topology.js";

export type CutKind = "partition" | "isolate" | "linkDown";

export interface DirectedLinkKey {
  from: string;
  to: string;
}

export function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}

export function cutLinks(kind: CutKind, names: readonly string[], endpoints: readonly Endpoint[]): DirectedLinkKey[] {
  checkNames(kind, names, endpoints);
  const inside = new Set(names);
  if (kind === "linkDown") {
    const [a, b] = names;
    if (names.length !== 2 || a === undefined || b === undefined || a === b) {
      throw new ConfigError("linkDown", names.join(","), "two different endpoint names, e.g. [eu-central, eu-west]");
    }
    return [
      { from: a, to: b },
      { from: b, to: a },
    ];
  }
  if (names.length === 0) throw new ConfigError(kind, "", "at least one region");
  const outside = endpoints.filter((e) => !inside.has(e.name) && (kind === "isolate" || e.kind === "region"));
  const out: DirectedLinkKey[] = [];
  for (const name of names) {
    for (const other of outside) {
      out.push({ from: name, to: other.name }, { from: other.name, to: name });
    }
  }
  return out;
}

function checkNames(kind: CutKind, names: readonly string[], endpoints: readonly Endpoint[]): void {
  for (const n of names) {
    const e = endpoints.find((x) => x.name === n);
    if (e === undefined) throw new ConfigError(kind, n, `one of ${endpoints.map((x) => x.name).join(", ")}`);
    if (kind !== "linkDown" && e.kind !== "region") throw new ConfigError(kind, n, "a region (observers cannot be partitioned)");
  }
}
