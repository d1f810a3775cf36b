/**
 * Turns what a user typed into the address bar into a URL to load, or null.
 * A scheme-less entry gets https:// and, as in Chrome and Edge, http:// as the
 * fallback when the https load fails at the connection (no TLS on that port,
 * refused, reset); a typed scheme is kept and gets no fallback. Only http(s) and
 * about:blank are navigable from the address bar; URL policies (policies/) judge
 * every URL loaded, the fallback included.
 */
export interface AddressTarget {
  url: string;
  /** The http:// form of a scheme-less entry, tried when the https load fails. */
  fallback: string | null;
}

export function addressTarget(input: string): AddressTarget | null {
  const text = input.trim();
  if (!text || text.length > 8192 || /\s/.test(text)) return null;
  if (text.toLowerCase() === 'about:blank') return { url: 'about:blank', fallback: null };
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^/:]+:\d+(?:[/?#]|$)/.test(text);
  const url = parseWeb(hasScheme ? text : `https://${text}`);
  if (!url) return null;
  const fallback = hasScheme ? null : parseWeb(`http://${text}`);
  return { url, fallback };
}

/** The URL for `input` without its fallback (see {@link addressTarget}). */
export function addressToUrl(input: string): string | null {
  return addressTarget(input)?.url ?? null;
}

function parseWeb(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

/**
 * Chromium's error codes for an https load that failed at the connection or in
 * TLS, where Chrome's typed-address upgrade falls back to http. Name resolution
 * failures are not among them: http would fail the same way.
 */
const FALLBACK_ERRORS = /^net::ERR_(SSL_[A-Z_]+|CERT_[A-Z_]+|CONNECTION_(REFUSED|RESET|CLOSED|FAILED|TIMED_OUT)|TIMED_OUT|EMPTY_RESPONSE|TUNNEL_CONNECTION_FAILED|BAD_SSL_CLIENT_AUTH_CERT)$/;

/** Whether a failed https load (`Page.navigate`'s errorText) should be retried over http. */
export function httpFallbackWanted(errorText: string | undefined): boolean {
  return errorText !== undefined && FALLBACK_ERRORS.test(errorText);
}
