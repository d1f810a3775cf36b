/**
 * Parsing of proxy request targets: absolute-form `http://host/path` for the forward
 * proxy and authority-form `host:port` for CONNECT. Hosts go through the same WHATWG
 * normalization as URL policies (every IPv4 and IPv6 form reduced to one address).
 */
import { normalizeHost } from '../../policies/index.js';

/** A parsed proxy target. */
export interface ProxyTarget {
  readonly host: string;
  readonly isIp: boolean;
  readonly port: number;
  /** Path and query as the client sent them (forward proxy only). */
  readonly path?: string;
  /** Host header value to send upstream (forward proxy only). */
  readonly authority?: string;
}

/** Parses a CONNECT target; null when it is not `host:port`. */
export function parseConnectTarget(target: string | undefined): ProxyTarget | null {
  if (!target) return null;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]\\]+):(\d{1,5})$/.exec(target);
  if (!m || !m[1] || !m[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  const host = normalizeHost(m[1].startsWith('[') ? m[1].slice(1, -1) : m[1]);
  return host ? { host: host.host, isIp: host.hostKind === 'ip', port } : null;
}

/** Parses an absolute-form http request target; null for anything else (origin-form, https, junk). */
export function parseForwardTarget(target: string | undefined): ProxyTarget | null {
  if (!target || !/^http:\/\//i.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || url.username !== '' || url.password !== '') return null;
  const host = normalizeHost(url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname);
  if (!host) return null;
  const port = url.port === '' ? 80 : Number(url.port);
  const hostText = host.hostKind === 'ip' && host.host.includes(':') ? `[${host.host}]` : host.host;
  const authority = port === 80 ? hostText : `${hostText}:${port}`;
  return { host: host.host, isIp: host.hostKind === 'ip', port, path: `${url.pathname}${url.search}`, authority };
}
