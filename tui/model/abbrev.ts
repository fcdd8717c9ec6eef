// Region name abbreviations for matrix headers: `us-east` → `us-e`, `eu-central` → `eu-c`,
// `ap-northeast-1` → `apn1` when space is tight. Pure; the result is unique per region so
// a header never names two regions.

/** Splits `ap-northeast-1` into letter words (`ap`, `northeast`) and a digit tail (`1`). */
function parts(region: string): { words: string[]; digits: string } {
  const words: string[] = [];
  let digits = "";
  for (const p of region.split("-")) {
    if (/^\d+$/.test(p)) digits += p;
    else if (p !== "") words.push(p);
  }
  return { words, digits };
}

/** Candidate spellings, most readable first; every one is a function of the name alone. */
function candidates(region: string): string[] {
  const { words, digits } = parts(region);
  const [head = "", ...rest] = words;
  const initials = rest.map((w) => w.slice(0, 1)).join("");
  const out = [region, `${head.slice(0, 2)}-${initials}${digits}`, `${head.slice(0, 2)}${initials}${digits}`];
  // Longer stems of the second word, for collisions such as ap-south / ap-southeast.
  const second = rest[0] ?? "";
  for (let n = 2; n <= second.length; n++) {
    out.push(`${head.slice(0, 2)}${second.slice(0, n)}${rest.slice(1).map((w) => w.slice(0, 1)).join("")}${digits}`);
  }
  return out;
}

/**
 * Abbreviations of at most `maxLen` characters, unique across `regions`. Each region takes
 * its most readable candidate that fits and that no other region also takes; when none is
 * left, the name is cut and suffixed with its index.
 */
export function abbreviateRegions(regions: readonly string[], maxLen: number): Map<string, string> {
  const result = new Map<string, string>();
  const options = regions.map((r) => ({ region: r, list: candidates(r).filter((c) => c.length <= maxLen && c !== "-") }));
  const taken = new Set<string>();
  // Names that several regions would pick are ambiguous: skip them for all of them.
  const firstChoices = new Map<string, number>();
  for (const o of options) for (const c of new Set(o.list)) firstChoices.set(c, (firstChoices.get(c) ?? 0) + 1);
  options.forEach((o, i) => {
    const pick = o.list.find((c) => firstChoices.get(c) === 1 && !taken.has(c)) ?? o.list.find((c) => !taken.has(c));
    const chosen = pick ?? fallback(o.region, i, maxLen, taken);
    taken.add(chosen);
    result.set(o.region, chosen);
  });
  return result;
}

function fallback(region: string, index: number, maxLen: number, taken: ReadonlySet<string>): string {
  const suffix = String(index);
  let base = region.replace(/-/g, "").slice(0, Math.max(1, maxLen - suffix.length)) + suffix;
  while (taken.has(base)) base = `${base.slice(0, -1)}~`;
  return base.slice(0, maxLen);
}
