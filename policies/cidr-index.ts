/**
 * Rules filed by CIDR block: one table per (IP version, prefix length) that maps the
 * block's network bits to rule positions. Looking an address up costs one map lookup
 * per prefix length in use (at most 33 for IPv4, 129 for IPv6), whatever the number of
 * blocks. Like cidrContains(), an address is looked up as written and in its canonical
 * form (an IPv4 address embedded in IPv6 is also looked up as IPv4).
 */
import { canonicalize, type Cidr, type IpAddress } from './address-ranges.js';

type Tables = Map<number, Map<bigint, number[]>>;

function bitsOf(address: IpAddress): { version: 4 | 6; value: bigint } {
  let value = 0n;
  for (const octet of address.toByteArray()) value = (value << 8n) | BigInt(octet);
  return { version: address.kind() === 'ipv4' ? 4 : 6, value };
}

/** Positions of rules keyed by the blocks they name. */
export class CidrIndex {
  private readonly v4: Tables = new Map();
  private readonly v6: Tables = new Map();
  private size = 0;

  /** Files rule `position` under `block`. */
  add(block: Cidr, position: number): void {
    const { version, value } = bitsOf(block.address);
    const tables = version === 4 ? this.v4 : this.v6;
    const width = version === 4 ? 32 : 128;
    let table = tables.get(block.prefix);
    if (!table) tables.set(block.prefix, (table = new Map()));
    const key = value >> BigInt(width - block.prefix);
    const list = table.get(key);
    if (list) list.push(position);
    else table.set(key, [position]);
    this.size++;
  }

  /** True when no block was added. */
  get empty(): boolean {
    return this.size === 0;
  }

  /** Adds to `found` the lists of every block containing one of `addresses`. */
  lookup(addresses: readonly IpAddress[], found: Array<readonly number[]>): void {
    for (const address of addresses) {
      const canonical = canonicalize(address);
      this.lookupOne(address, found);
      if (canonical !== address) this.lookupOne(canonical, found);
    }
  }

  private lookupOne(address: IpAddress, found: Array<readonly number[]>): void {
    const { version, value } = bitsOf(address);
    const tables = version === 4 ? this.v4 : this.v6;
    const width = version === 4 ? 32 : 128;
    for (const [prefix, table] of tables) {
      const list = table.get(value >> BigInt(width - prefix));
      if (list) found.push(list);
    }
  }
}
