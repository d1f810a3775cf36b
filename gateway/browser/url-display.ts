/**
 * The address as the address bar shows it, as Chrome and Edge do: Japanese domain
 * names (IDN) in their own script instead of `xn--…`, and UTF-8 percent-escapes
 * in the path, query and fragment as the characters they stand for. Decoding is
 * for reading only — the user's Enter sends the text back and the URL parser
 * encodes it again — but a decoded address must not mislead, so:
 * - a domain label is shown decoded only when it is ASCII letters, digits and
 *   hyphens plus Japanese kana and kanji, and not only kana that look like
 *   punctuation (ノ, ソ, ン, ー…); anything else (Cyrillic а for Latin a,
 *   mixed scripts) stays `xn--`, as Chrome's IDN spoof checks would;
 * - an escape is decoded only to a visible, non-ASCII character: ASCII escapes
 *   (%2F, %3F, %25, %20) keep their meaning and stay escaped, and invisible or
 *   look-alike characters (bidi overrides, spaces, ／, ？, ＃, ∕) stay escaped.
 */
import { domainToUnicode } from 'node:url';

const JAPANESE_LABEL = /^[a-z0-9\-\u3005\u3006\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+$/u;
/** Kana and kanji that pass for ASCII punctuation or letters on their own. */
const LOOKALIKES = new Set([...'ノソンーへヘ一丶口工力夕卜']);
/** Characters that look like URL delimiters; never shown decoded. */
const DELIMITER_LOOKALIKES = new Set([...'\u2044\u2215\u29f8\uff0f\uff1f\uff03\uff06\uff1d\ufe52\uff0e\u2024']);

export function displayUrl(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return href;
  const host = url.hostname.startsWith('[') ? url.hostname : displayHost(url.hostname);
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}//${userinfo}${host}${port}${decodeEscapes(url.pathname)}${decodeEscapes(url.search)}${decodeEscapes(url.hash)}`;
}

function displayHost(hostname: string): string {
  return hostname
    .split('.')
    .map((label) => {
      if (!label.startsWith('xn--')) return label;
      const unicode = domainToUnicode(label);
      return unicode && unicode !== label && safeLabel(unicode) ? unicode : label;
    })
    .join('.');
}

function safeLabel(label: string): boolean {
  if (!JAPANESE_LABEL.test(label)) return false;
  const nonAscii = [...label].filter((c) => c.codePointAt(0)! > 0x7f);
  return nonAscii.length > 0 && !nonAscii.every((c) => LOOKALIKES.has(c));
}

function visible(ch: string): boolean {
  return !/[\p{C}\p{Z}]/u.test(ch) && !DELIMITER_LOOKALIKES.has(ch) && ch.codePointAt(0)! > 0x7f;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes runs of escapes that form visible UTF-8 characters; leaves every other escape as it was. */
function decodeEscapes(part: string): string {
  return part.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = run.split('%').slice(1).map((hex) => parseInt(hex, 16));
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const n = sequenceLength(bytes[i]!);
      const seq = n > 1 ? bytes.slice(i, i + n) : [];
      let ch = '';
      if (seq.length === n && n > 1) {
        try {
          ch = decoder.decode(new Uint8Array(seq));
        } catch {
          ch = '';
        }
      }
      if (ch && visible(ch)) {
        out += ch;
        i += n;
      } else {
        out += run.slice(i * 3, i * 3 + 3);
        i += 1;
      }
    }
    return out;
  });
}

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}
