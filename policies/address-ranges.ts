/**
 * IP address parsing, canonicalization and classification.
 *
 * Every address the egress proxy or the policy engine looks at goes through
 * {@link canonicalAddress} first, so that an IPv4 address smuggled inside an IPv6
 * form (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is judged as the IPv4 address
 * it really reaches.
 */
import ipaddr from 'ipaddr.js';

/** A parsed IPv4 or IPv6 address (ipaddr.js objects). */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** How an address is classified. Everything except `public` is denied by default. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'this-network'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** A parsed and validated CIDR block. */
export interface Cidr {
  /** Network address in canonical text form (IPv4 when the block is an embedded IPv4 form). */
  readonly network: string;
  readonly prefix: number;
  readonly version: 4 | 6;
  /** The block in canonical text form, e.g. `10.0.0.0/8`. */
  readonly text: string;
  /** @internal parsed network address. */
  readonly address: IpAddress;
}

/** Parses an IP literal: dotted-quad IPv4 (strict, four decimal parts) or IPv6, with or without brackets. Returns null if it is not one. */
export function parseIp(text: string): IpAddress | null {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t);
  // Zone ids (fe80::1%eth0) name a local interface; nothing legitimate needs them here.
  if (t.includes('%')) return null;
  if (ipaddr.IPv6.isValid(t)) return ipaddr.IPv6.parse(t);
  return null;
}

/** True when `text` is an IP literal accepted by {@link parseIp}. */
export function isIpLiteral(text: string): boolean {
  return parseIp(text) !== null;
}

function embeddedV4(parts: number[], firstPart: number): ipaddr.IPv4 {
  const hi = parts[firstPart] ?? 0;
  const lo = parts[firstPart + 1] ?? 0;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * The IPv4 address embedded in an IPv6 form that reaches an IPv4 host, or null.
 * Handles IPv4-mapped `::ffff:0:0/96`, IPv4-translated `::ffff:0:0:0/96`,
 * IPv4-compatible `::/96` (except `::` and `::1`), NAT64 `64:ff9b::/96` and 6to4 `2002::/16`.
 */
export function embeddedIpv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = addr.parts;
  const zeros = (from: number, to: number): boolean => p.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return embeddedV4(p, 6);
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return embeddedV4(p, 6);
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return embeddedV4(p, 6);
  if (p[0] === 0x2002) return embeddedV4(p, 1);
  if (zeros(0, 6) && !(p[6] === 0 && (p[7] === 0 || p[7] === 1))) return embeddedV4(p, 6);
  return null;
}

/** Reduces an address to the one it really reaches: an embedded IPv4 address if there is one, else itself. */
export function canonicalize(addr: IpAddress): IpAddress {
  if (addr.kind() === 'ipv6') return embeddedIpv4(addr as ipaddr.IPv6) ?? addr;
  return addr;
}

/** Text form of an address: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatIp(addr: IpAddress): string {
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/** Canonical text form of an IP literal (see {@link canonicalize}), or null if `text` is not an IP literal. */
export function canonicalAddress(text: string): string | null {
  const a = parseIp(text);
  return a ? formatIp(canonicalize(a)) : null;
}

type RangeTable = Array<[string, number, AddressClass]>;

// Ordered: the first containing range wins, so narrower ranges come first.
const V4_RANGES: RangeTable = [
  ['0.0.0.0', 32, 'unspecified'],
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_RANGES: RangeTable = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'reserved'],
  ['::ffff:0:0', 96, 'reserved'],
  ['64:ff9b:1::', 48, 'reserved'],
  ['100::', 64, 'reserved'],
  // Teredo embeds an obfuscated client address; nothing in a hospital needs it.
  ['2001::', 32, 'reserved'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const compile = (table: RangeTable): Array<[IpAddress, number, AddressClass]> =>
  table.map(([net, prefix, cls]) => [ipaddr.parse(net), prefix, cls]);
const V4 = compile(V4_RANGES);
const V6 = compile(V6_RANGES);
const GLOBAL_UNICAST_V6 = ipaddr.parse('2000::');

function classifyParsed(addr: IpAddress): AddressClass {
  const canonical = canonicalize(addr);
  const table = canonical.kind() === 'ipv4' ? V4 : V6;
  for (const [net, prefix, cls] of table) {
    if (canonical.kind() === net.kind() && canonical.match(net, prefix)) return cls;
  }
  // Outside 2000::/3 nothing is allocated for global unicast.
  if (canonical.kind() === 'ipv6' && !canonical.match(GLOBAL_UNICAST_V6, 3)) return 'reserved';
  return 'public';
}

/**
 * Classifies an address after canonicalization. Accepts text or a parsed address.
 * Throws on text that is not an IP literal; use {@link parseIp} first when unsure.
 */
export function classifyAddress(addr: string | IpAddress): AddressClass {
  const parsed = typeof addr === 'string' ? parseIp(addr) : addr;
  if (!parsed) throw new TypeError(`not an IP address: ${String(addr)}`);
  return classifyParsed(parsed);
}

/**
 * True when the address must not be reached unless an admin allow-listed it:
 * anything that is not a public unicast address (loopback, RFC 1918, link-local including
 * 169.254.169.254, CGNAT, unique-local, multicast, reserved, …), judged on the canonical form.
 * Text that is not an IP literal is denied too (fail closed).
 */
export function isDeniedByDefault(addr: string | IpAddress): boolean {
  const parsed = typeof addr === 'string' ? parseIp(addr) : addr;
  if (!parsed) return true;
  return classifyParsed(parsed) !== 'public';
}

/** Bit offset of the embedded IPv4 address in an IPv6 network, for CIDR reduction. */
function embeddingOffset(addr: ipaddr.IPv6): number | null {
  const p = addr.parts;
  if (p[0] === 0x2002) return 16;
  return embeddedIpv4(addr) ? 96 : null;
}

/** Parses `a.b.c.d/n` or `v6/n` (a bare address means a single host). Returns null when invalid or when host bits are set. */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash === -1 ? t : t.slice(0, slash);
  const addr = parseIp(addrText);
  if (!addr) return null;
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  const network = ipaddr.parse(
    (addr.kind() === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString(),
  );
  if (network.toNormalizedString() !== addr.toNormalizedString()) return null;
  let address: IpAddress = network;
  let canonicalPrefix = prefix;
  if (network.kind() === 'ipv6') {
    const offset = embeddingOffset(network as ipaddr.IPv6);
    if (offset !== null && prefix >= offset && prefix <= offset + 32) {
      address = canonicalize(network);
      canonicalPrefix = prefix - offset;
    }
  }
  const net = formatIp(address);
  return { network: net, prefix: canonicalPrefix, version: address.kind() === 'ipv4' ? 4 : 6, text: `${net}/${canonicalPrefix}`, address };
}

/**
 * True when the CIDR contains the address, comparing both the address as written and its
 * canonical form (so `127.0.0.0/8` contains `::ffff:127.0.0.1`). Invalid input → false.
 */
export function cidrContains(cidr: string | Cidr, addr: string | IpAddress): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const parsed = typeof addr === 'string' ? parseIp(addr) : addr;
  if (!block || !parsed) return false;
  for (const candidate of [parsed, canonicalize(parsed)]) {
    if (candidate.kind() === block.address.kind() && candidate.match(block.address, block.prefix)) return true;
  }
  return false;
}

/** True when every address of `inner` lies within `outer` (both canonical). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.version === outer.version && inner.prefix >= outer.prefix && inner.address.match(outer.address, outer.prefix);
}
