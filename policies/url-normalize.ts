/**
 * URL normalization before policy matching, using the WHATWG URL parser (the one the
 * browser itself uses) so that the policy judges the same host the browser will contact.
 */
import { canonicalAddress } from './address-ranges.js';

/** Schemes that reach the network and that policies judge. */
export type WebScheme = 'http' | 'https' | 'ws' | 'wss';

/** Wrapper schemes whose inner URL is judged instead. */
export type WrapperScheme = 'blob' | 'view-source' | 'filesystem';

/** Default ports filled in when the URL names none. */
export const DEFAULT_PORTS: Readonly<Record<WebScheme, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

const WRAPPERS: ReadonlySet<string> = new Set<WrapperScheme>(['blob', 'view-source', 'filesystem']);
const MAX_WRAPPER_DEPTH = 2;

/** A URL reduced to what a policy matches on. */
export interface NormalizedUrl {
  /** Lowercase scheme of the (inner) URL; `about` only for about:blank. */
  readonly scheme: WebScheme | 'about';
  /** Lowercase host: punycode, no trailing dot; for IP literals the canonical address (IPv6 without brackets). Empty for about:blank. */
  readonly host: string;
  readonly hostKind: 'ip' | 'domain' | 'none';
  /** Canonical IP address when the host is an IP literal, else null. */
  readonly ip: string | null;
  /** Port, with the scheme's default filled in; null for about:blank. */
  readonly port: number | null;
  /** Path, dot segments resolved and percent-encoded unreserved characters decoded. */
  readonly path: string;
  /** Query including the leading `?`, or empty. */
  readonly query: string;
  /** Normalized URL without userinfo or fragment (the fragment never reaches a server). */
  readonly href: string;
  /** Outermost wrapper scheme (blob:, view-source:, filesystem:) if the input had one. */
  readonly wrapper: WrapperScheme | null;
}

/** Why a URL is refused before any rule is consulted. */
export type RefusalReason = 'invalid-url' | 'non-web-scheme' | 'about-page' | 'nested-wrapper' | 'missing-host';

/** Outcome of {@link normalizeUrl}. */
export type NormalizeResult =
  | { readonly ok: true; readonly url: NormalizedUrl }
  | { readonly ok: false; readonly reason: RefusalReason; readonly scheme: string | null; readonly message: string };

/** A normalized host. */
export interface NormalizedHost {
  readonly host: string;
  readonly hostKind: 'ip' | 'domain';
  readonly ip: string | null;
}

const refuse = (reason: RefusalReason, scheme: string | null, message: string): NormalizeResult => ({ ok: false, reason, scheme, message });

/** As the WHATWG parser does first: trim C0 controls and spaces, drop every tab and newline. */
function preprocess(input: string): string {
  // eslint-disable-next-line no-control-regex
  return input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

function isWebScheme(s: string): s is WebScheme {
  return s === 'http' || s === 'https' || s === 'ws' || s === 'wss';
}

/** Decodes percent-encoded unreserved characters (RFC 3986 §6.2.2.2) so `/%61dmin` matches `/admin`. */
function decodeUnreserved(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (whole, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : whole.toUpperCase();
  });
}

/**
 * Normalizes a bare host the way the URL parser would for an http URL: lowercase, IDN to
 * punycode, every IPv4 form and IPv6 form to one canonical address, trailing dots stripped.
 * Returns null when it is not a valid host.
 */
export function normalizeHost(input: string): NormalizedHost | null {
  const raw = preprocess(input);
  if (raw === '' || /[/\\?#@\s]/.test(raw)) return null;
  const bracketed = raw.includes(':') && !raw.startsWith('[') ? `[${raw}]` : raw;
  let url: URL;
  try {
    url = new URL(`http://${bracketed}/`);
  } catch {
    return null;
  }
  if (url.port !== '' || url.username !== '' || url.password !== '') return null;
  return hostFromParsed(url);
}

function hostFromParsed(url: URL): NormalizedHost | null {
  let host = url.hostname;
  if (host.startsWith('[')) {
    const ip = canonicalAddress(host.slice(1, -1));
    return ip ? { host: ip, hostKind: 'ip', ip } : null;
  }
  const stripped = host.replace(/\.+$/, '');
  if (stripped === '') return null;
  if (stripped !== host) {
    // Re-run the host parser: "127.0.0.1.." is a domain to WHATWG but an address once stripped.
    try {
      url.hostname = stripped;
    } catch {
      return null;
    }
    host = url.hostname.replace(/\.+$/, '');
    if (host === '') return null;
  }
  const ip = canonicalAddress(host);
  return ip ? { host: ip, hostKind: 'ip', ip } : { host, hostKind: 'domain', ip: null };
}

/** Normalizes a path prefix written in a policy exactly like a URL path, so both compare alike. */
export function normalizePath(path: string): string {
  const url = new URL(path, 'http://x.invalid');
  return decodeUnreserved(url.pathname);
}

/**
 * The common case without the URL parser: an ASCII host name whose last label starts
 * with a letter (so never an IPv4 form) and no `xn--` label, an optional non-zero-led port,
 * a path without percent signs or dot segments and a plain query. For these the WHATWG
 * parser changes nothing but case and the default port, so the result is the same as
 * normalizeWeb()'s slow path (a unit test compares both on random URLs); anything
 * else returns null and takes the slow path.
 */
const SIMPLE_WEB_URL = /^(?:https?|wss?):\/\/([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::([1-9][0-9]{0,4}))?(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?(\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?(?:#.*)?$/i;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
const IDN_OR_NUMERIC_LAST = /(?:^|\.)xn--|(?:^|\.)[^.a-z][^.]*$/;

/** Normalizes a simple URL without the URL parser; null when it is not simple (see above). */
export function normalizeSimpleWeb(text: string, scheme: WebScheme, wrapper: WrapperScheme | null): NormalizedUrl | null {
  const m = SIMPLE_WEB_URL.exec(text);
  if (!m) return null;
  const host = m[1]!.toLowerCase();
  if (IDN_OR_NUMERIC_LAST.test(host)) return null;
  const port = m[2] === undefined ? DEFAULT_PORTS[scheme] : Number(m[2]);
  if (port > 65535) return null;
  const path = m[3] ?? '/';
  if (DOT_SEGMENT.test(path)) return null;
  const query = m[4] === undefined || m[4] === '?' ? '' : m[4];
  const portText = port === DEFAULT_PORTS[scheme] ? '' : `:${port}`;
  return { scheme, host, hostKind: 'domain', ip: null, port, path, query, href: `${scheme}://${host}${portText}${path}${query}`, wrapper };
}

function normalizeWeb(text: string, scheme: WebScheme, wrapper: WrapperScheme | null): NormalizeResult {
  const simple = normalizeSimpleWeb(text, scheme, wrapper);
  if (simple) return { ok: true, url: simple };
  return normalizeParsed(text, scheme, wrapper);
}

/** The general case, through the WHATWG URL parser. */
export function normalizeParsed(text: string, scheme: WebScheme, wrapper: WrapperScheme | null): NormalizeResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('invalid-url', scheme, 'the URL cannot be parsed');
  }
  const host = hostFromParsed(url);
  if (!host) return refuse('missing-host', scheme, 'the URL has no usable host');
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  const path = decodeUnreserved(url.pathname);
  const query = url.search;
  const hostText = host.hostKind === 'ip' && host.host.includes(':') ? `[${host.host}]` : host.host;
  const portText = port === DEFAULT_PORTS[scheme] ? '' : `:${port}`;
  const href = `${scheme}://${hostText}${portText}${path}${query}`;
  return { ok: true, url: { scheme, host: host.host, hostKind: host.hostKind, ip: host.ip, port, path, query, href, wrapper } };
}

function normalizeAt(input: string, depth: number, outer: WrapperScheme | null): NormalizeResult {
  const text = preprocess(input);
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (!m || !m[1]) return refuse('invalid-url', null, 'the URL has no scheme');
  const scheme = m[1].toLowerCase();
  if (isWebScheme(scheme)) return normalizeWeb(text, scheme, outer);
  if (WRAPPERS.has(scheme)) {
    if (depth >= MAX_WRAPPER_DEPTH) return refuse('nested-wrapper', scheme, 'too many nested wrapper schemes');
    const inner = normalizeAt(text.slice(m[0].length), depth + 1, outer ?? (scheme as WrapperScheme));
    if (!inner.ok && inner.reason === 'invalid-url') return refuse('invalid-url', scheme, `the ${scheme}: URL has no valid inner URL`);
    return inner;
  }
  if (scheme === 'about') {
    let url: URL | null = null;
    try {
      url = new URL(text);
    } catch {
      // fall through to the refusal
    }
    if (url?.pathname === 'blank' && outer === null) {
      return { ok: true, url: { scheme: 'about', host: '', hostKind: 'none', ip: null, port: null, path: 'blank', query: '', href: 'about:blank', wrapper: null } };
    }
    return refuse('about-page', scheme, 'only about:blank may be opened');
  }
  return refuse('non-web-scheme', scheme, `the ${scheme}: scheme is not allowed for navigation`);
}

/**
 * Normalizes a URL as the browser would parse it. `http`, `https`, `ws`, `wss` are judged;
 * `blob:`, `view-source:` and `filesystem:` are judged by their inner URL; about:blank is
 * allowed; every other scheme (`javascript:`, `file:`, `data:`, `chrome:`, …) is refused.
 */
export function normalizeUrl(input: string): NormalizeResult {
  return normalizeAt(input, 0, null);
}
