/**
 * Start-up check of `egress.allowPrivate`: an allow-list entry lifts the egress proxy's
 * address refusal for its whole range, so a typo such as `0.0.0.0/0` would quietly open
 * loopback (the gateway's own services, clamd on TCP, the local DevTools port), the
 * cloud metadata address and the gateway's own listening address to every web page.
 * Such entries are refused unless `egress.allowLoopback` says the admin means it.
 */
import { cidrWithin, parseCidr, type Cidr } from '../../policies/index.js';

/** Ranges that reach the gateway host itself or its platform, and why each matters. */
const HOST_RANGES: ReadonlyArray<{ cidr: string; what: string }> = [
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '::1/128', what: 'IPv6 loopback (::1)' },
  { cidr: '0.0.0.0/8', what: '"this network" 0.0.0.0/8, which reaches the local host' },
  { cidr: '::/128', what: 'the unspecified address ::, which reaches the local host' },
  { cidr: '169.254.169.254/32', what: 'the cloud metadata address 169.254.169.254' },
  { cidr: 'fd00:ec2::254/128', what: 'the IPv6 cloud metadata address fd00:ec2::254' },
];

function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

/**
 * Problems with the allow-list, one sentence each: entries that are not CIDR blocks, and
 * (unless `allowLoopback`) entries covering a host range above or the gateway's own
 * listening address `gatewayHost` (when it is a specific IP address).
 */
export function egressAllowProblems(entries: readonly string[], gatewayHost: string, allowLoopback: boolean): string[] {
  const problems: string[] = [];
  const own = parseCidr(gatewayHost);
  const hostRanges = HOST_RANGES.map((r) => ({ ...r, block: parseCidr(r.cidr)! }));
  if (own && own.prefix === (own.version === 4 ? 32 : 128) && !hostRanges.some((r) => overlaps(r.block, own))) {
    hostRanges.push({ cidr: own.text, what: `the gateway's own listening address ${own.network}`, block: own });
  }
  for (const entry of entries) {
    const block = parseCidr(entry);
    if (!block) {
      problems.push(`${JSON.stringify(entry)} is not a CIDR block (e.g. 10.1.0.0/16)`);
      continue;
    }
    if (allowLoopback) continue;
    const hit = hostRanges.find((r) => overlaps(r.block, block));
    if (hit) {
      problems.push(
        `${JSON.stringify(entry)} covers ${hit.what}; the remote browser could reach the gateway host itself. ` +
          'Narrow the range, or set KEKKAI_EGRESS_ALLOW_LOOPBACK=1 (egress.allowLoopback) if that is really intended',
      );
    }
  }
  return problems;
}
