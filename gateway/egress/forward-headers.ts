/**
 * Header filtering for the forward proxy: hop-by-hop headers (RFC 9110 §7.6.1), every
 * header the Connection header names, and proxy credentials never cross the proxy.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Filters a raw header list (`[name, value, name, value, …]`) for forwarding, keeping
 * the original case and order. Returns a flat list for `writeHead` / `http.request`.
 */
export function filterHeaders(raw: readonly string[], drop: ReadonlySet<string> = new Set()): string[] {
  const named = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'connection') {
      for (const token of (raw[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || drop.has(lower)) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  return out;
}
