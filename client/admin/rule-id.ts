/**
 * Rule IDs made from rule names in any language, so 「ルールを追加」 never produces an ID
 * that saving refuses. The policy schema's rule (policies/policy-schema.ts RULE_ID) is
 * mirrored here because the client may import only protocol/.
 */
export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A short, stable tag of a text (FNV-1a, base 36), for names with no Latin letters. */
function tag(text: string): string {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(6, '0').slice(0, 6);
}

/**
 * An ID for a rule called `name`: its Latin letters and digits in lower case joined by
 * "-" (「Block ads 広告」→ `block-ads`), or `rule-` and a tag of the name when it has none
 * (「電子カルテ」→ `rule-1x2y3z`), made unique among `taken` with -2, -3, ….
 */
export function ruleIdFromName(name: string, taken: readonly string[]): string {
  const latin = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const base = latin || `rule-${tag(name.trim() || String(taken.length + 1))}`;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}
