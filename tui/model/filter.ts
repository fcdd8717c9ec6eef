// The `/` filter: space- or comma-separated terms, case-insensitive substring match; an
// item matches when any term is found in any of its fields. Empty filter matches all.

export function filterTerms(filter: string): string[] {
  return filter
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((t) => t !== "");
}

export function matchesFilter(filter: string, fields: readonly string[]): boolean {
  const terms = filterTerms(filter);
  if (terms.length === 0) return true;
  const hay = fields.map((f) => f.toLowerCase());
  return terms.some((t) => hay.some((h) => h.includes(t)));
}
