/**
 * LDAP distinguished names (RFC 4514) for comparing and validating, not for building
 * requests: group DNs typed by an admin and DNs a directory returns are parsed into
 * attribute type/value pairs so `CN=Staff, OU=Groups,DC=hospital,DC=local` and
 * `cn=staff,ou=groups,dc=hospital,dc=local` compare equal. Values are compared
 * case-insensitively (the naming attributes cn, ou, dc, o, uid are case-ignoring).
 */

export type Rdn = Array<{ type: string; value: string }>;

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

/** Splits at unescaped `sep`, keeping escapes for the next step. */
function splitUnescaped(text: string, seps: string): string[] | null {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) return null;
      current += c + text[i + 1]!;
      i += 1;
    } else if (seps.includes(c)) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** `\,` and `\2C` escapes to characters (UTF-8 hex pairs decoded as bytes). */
function unescapeValue(raw: string): string | null {
  const bytes: number[] = [];
  const out: string[] = [];
  const flush = () => {
    if (bytes.length) out.push(Buffer.from(bytes.splice(0)).toString('utf8'));
  };
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i]!;
    if (c !== '\\') {
      flush();
      out.push(c);
      continue;
    }
    const pair = raw.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(pair)) {
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else if (i + 1 < raw.length) {
      flush();
      out.push(raw[i + 1]!);
      i += 1;
    } else return null;
  }
  flush();
  return out.join('');
}

/** The RDNs of a DN, or null when it is not one (empty, a part without `type=value`). */
export function parseDn(dn: string): Rdn[] | null {
  const text = dn.trim();
  if (!text || text.length > 1024) return null;
  const rdns = splitUnescaped(text, ',;');
  if (!rdns) return null;
  const parsed: Rdn[] = [];
  for (const rdn of rdns) {
    const avas = splitUnescaped(rdn, '+');
    if (!avas) return null;
    const pairs: Rdn = [];
    for (const ava of avas) {
      const eq = ava.indexOf('=');
      if (eq <= 0) return null;
      const type = ava.slice(0, eq).trim();
      const value = unescapeValue(ava.slice(eq + 1).trim());
      if (!TYPE.test(type) || value === null || value === '') return null;
      pairs.push({ type: type.toLowerCase(), value });
    }
    parsed.push(pairs);
  }
  return parsed;
}

/** A comparison key: equal for DNs that name the same entry (up to case and spacing). */
export function normalizeDn(dn: string): string | null {
  const rdns = parseDn(dn);
  if (!rdns) return null;
  return rdns
    .map((rdn) =>
      rdn
        .map(({ type, value }) => `${type}=${value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** The value of the first RDN (the group's or person's name), for display. */
export function leafName(dn: string): string {
  return parseDn(dn)?.[0]?.[0]?.value ?? dn;
}
