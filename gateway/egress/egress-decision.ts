/**
 * The egress proxy's destination check: port allow-list, the gateway's own endpoints,
 * denied address ranges (unless allow-listed) for every resolved address, then an
 * optional policy hook. Deny if any resolved address is denied: an attacker who controls
 * a name's DNS can mix a public and a private answer, and we cannot know which one a
 * later connection would use. A split-horizon name that legitimately mixes both needs
 * its private range allow-listed.
 */
import { canonicalAddress, classifyAddress, cidrContains, isDeniedByDefault, parseCidr, type Cidr } from '../../policies/index.js';
import type { ProxyTarget } from './request-target.js';

/** What the proxy asks the gateway's URL policy (the optional `decide` hook). */
export interface EgressRequest {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** Path and query, for forward-proxied http requests only (CONNECT hides it). */
  readonly path?: string;
  /** The checked addresses the proxy will connect to. */
  readonly addresses: readonly string[];
}

/** What the proxy checks for a CONNECT tunnel (https, wss) or an absolute-form http request. */
export function egressRequestOf(kind: 'connect' | 'http', target: ProxyTarget): Omit<EgressRequest, 'addresses'> {
  return { scheme: kind === 'http' ? 'http' : 'https', host: target.host, port: target.port, ...(target.path !== undefined ? { path: target.path } : {}) };
}

/** Answer of the `decide` hook. */
export interface HookDecision {
  readonly allow: boolean;
  readonly reason: string;
}

/** A listening endpoint of the gateway; without an address (or with 0.0.0.0 / ::) it means every local address. */
export interface OwnEndpoint {
  readonly address?: string;
  readonly port: number;
}

/** Why a destination was allowed or refused. */
export type DecisionCode = 'allowed' | 'port' | 'own-endpoint' | 'address' | 'resolve-failed' | 'policy';

/** Outcome of {@link checkDestination}. */
export interface Decision {
  readonly allowed: boolean;
  readonly code: DecisionCode;
  readonly reason: string;
  /** Canonical addresses that were checked (the proxy connects to these, never re-resolving). */
  readonly addresses: string[];
  /** HTTP status for a refusal: 403 for policy, 502 when the name did not resolve. */
  readonly status: 200 | 403 | 502;
}

/** Dependencies of {@link checkDestination}, fixed when the proxy starts. */
export interface DecisionDeps {
  readonly allowPrivate: readonly Cidr[];
  readonly allowedPorts: ReadonlySet<number>;
  readonly ownEndpoints: readonly OwnEndpoint[];
  /** Addresses of this machine's interfaces, canonical. */
  readonly localAddresses: ReadonlySet<string>;
  readonly resolve: (host: string) => Promise<string[]>;
  readonly decide?: (req: EgressRequest) => HookDecision | Promise<HookDecision>;
}

/** Parses CIDR strings, throwing on the first invalid one so a bad config stops start-up. */
export function parseAllowList(cidrs: readonly string[]): Cidr[] {
  return cidrs.map((text) => {
    const c = parseCidr(text);
    if (!c) throw new TypeError(`egress.allowPrivate: ${JSON.stringify(text)} is not a CIDR block (e.g. 10.1.0.0/16)`);
    return c;
  });
}

function isAnyAddress(address: string | undefined): boolean {
  if (address === undefined) return true;
  const c = canonicalAddress(address);
  return c === '0.0.0.0' || c === '::';
}

/** True when connecting to `address:port` would reach one of the gateway's own endpoints. */
export function isOwnEndpoint(address: string, port: number, deps: Pick<DecisionDeps, 'ownEndpoints' | 'localAddresses'>): boolean {
  const canonical = canonicalAddress(address);
  if (!canonical) return true;
  return deps.ownEndpoints.some((ep) => {
    if (ep.port !== port) return false;
    if (!isAnyAddress(ep.address)) return canonicalAddress(ep.address ?? '') === canonical;
    const cls = classifyAddress(canonical);
    return cls === 'loopback' || cls === 'unspecified' || cls === 'this-network' || deps.localAddresses.has(canonical);
  });
}

const deny = (code: DecisionCode, reason: string, addresses: string[], status: 403 | 502 = 403): Decision => ({ allowed: false, code, reason, addresses, status });

async function resolveHost(host: string, isIp: boolean, deps: DecisionDeps): Promise<string[] | Error> {
  if (isIp) return [host];
  try {
    const found = await deps.resolve(host);
    return found.length > 0 ? found : new Error('no addresses');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Checks a destination, in this order: resolve (IP literals as they are), the gateway's own
 * endpoints, the port allow-list, denied address ranges, then the `decide` hook. `host` must already be normalized (lowercase, punycode, canonical IP);
 * `isIp` says whether it is an IP literal.
 */
export async function checkDestination(target: Omit<EgressRequest, 'addresses'>, isIp: boolean, deps: DecisionDeps): Promise<Decision> {
  const resolved = await resolveHost(target.host, isIp, deps);
  if (resolved instanceof Error) return deny('resolve-failed', `${target.host} could not be resolved`, [], 502);
  const addresses: string[] = [];
  for (const raw of resolved) {
    const a = canonicalAddress(raw);
    if (!a) return deny('address', `resolver returned ${JSON.stringify(raw)}, not an address`, addresses);
    addresses.push(a);
  }
  for (const a of addresses) {
    if (isOwnEndpoint(a, target.port, deps)) return deny('own-endpoint', `${a}:${target.port} is the gateway itself`, addresses);
  }
  if (!deps.allowedPorts.has(target.port)) return deny('port', `port ${target.port} is not allowed`, addresses);
  for (const a of addresses) {
    if (isDeniedByDefault(a) && !deps.allowPrivate.some((c) => cidrContains(c, a))) {
      return deny('address', `${target.host} resolves to ${a}, a ${classifyAddress(a)} address that is not allow-listed`, addresses);
    }
  }
  if (deps.decide) {
    let hook: HookDecision;
    try {
      hook = await deps.decide({ ...target, addresses });
    } catch {
      return deny('policy', 'the URL policy could not be evaluated', addresses);
    }
    if (!hook.allow) return deny('policy', hook.reason, addresses);
  }
  return { allowed: true, code: 'allowed', reason: 'allowed', addresses, status: 200 };
}
