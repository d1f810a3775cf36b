/**
 * Who is on the other end of a loopback TCP connection: the egress proxies accept
 * only connections from sockets owned by the gateway's own uid (Chromium runs as it).
 *
 * Why not credentials or Unix sockets: Chromium cannot reach an HTTP proxy over a
 * Unix socket, and it sends proxy credentials only after a 407 challenge, answered
 * through CDP `Fetch.authRequired` — which means intercepting every request of every
 * context (service workers and prefetches included) and failing open on any miss.
 * The kernel already knows who opened the socket, so ask it.
 *
 * Threat model: other local users and services (a compromised daemon, a shell user
 * on the appliance) cannot use the proxies to reach what the URL policy allows a
 * signed-in user, nor to probe the hospital network with a user's identity. A process
 * running as the gateway's own uid is not kept out, and need not be: it can read the
 * gateway's memory and keys anyway.
 *
 * Linux only: the client's socket is looked up in /proc/net/tcp and /proc/net/tcp6
 * (local address = our peer, remote address = our end) and its uid column read. No
 * entry, an unreadable file, or another platform: not ours (fail closed).
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/** The two ends of a TCP connection as the accepting side sees them. */
export interface ConnectionEnds {
  /** The client's address and port (socket.remoteAddress/remotePort). */
  peer: { address: string; port: number };
  /** Our address and port (socket.localAddress/localPort). */
  local: { address: string; port: number };
}

/** An address as 16 bytes (IPv4 as IPv4-mapped IPv6), so both tables compare alike. */
function addressBytes(address: string): Buffer | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  const v6 = parsed.kind() === 'ipv4' ? (parsed as ipaddr.IPv4).toIPv4MappedAddress() : (parsed as ipaddr.IPv6);
  return Buffer.from(v6.toByteArray());
}

/**
 * A /proc/net/tcp address field (`0100007F:1F90`): 32-bit words printed in host
 * byte order, the port in hex.
 */
function parseProcEndpoint(field: string, littleEndian: boolean): { bytes: Buffer; port: number } | null {
  const [hex, portHex] = field.split(':');
  if (!hex || !portHex || (hex.length !== 8 && hex.length !== 32)) return null;
  const raw = Buffer.from(hex, 'hex');
  if (littleEndian) for (let i = 0; i < raw.length; i += 4) raw.subarray(i, i + 4).reverse();
  const bytes = raw.length === 4 ? Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), raw]) : raw;
  return { bytes, port: parseInt(portHex, 16) };
}

/**
 * The uid owning the client's socket of `ends`, from the text of /proc/net/tcp or
 * /proc/net/tcp6; null when no line matches.
 */
export function findPeerUid(table: string, ends: ConnectionEnds, littleEndian = endianness() === 'LE'): number | null {
  const peer = addressBytes(ends.peer.address);
  const local = addressBytes(ends.local.address);
  if (!peer || !local) return null;
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid …
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8) continue;
    const own = parseProcEndpoint(cols[1]!, littleEndian);
    const other = parseProcEndpoint(cols[2]!, littleEndian);
    if (!own || !other) continue;
    if (own.port !== ends.peer.port || other.port !== ends.local.port) continue;
    if (!own.bytes.equals(peer) || !other.bytes.equals(local)) continue;
    const uid = Number(cols[7]);
    return Number.isInteger(uid) ? uid : null;
  }
  return null;
}

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** The uid of the process that opened the client end of `socket`, or null if unknown. */
export async function loopbackPeerUid(socket: Socket): Promise<number | null> {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !remotePort || !localAddress || !localPort) return null;
  const ends = { peer: { address: remoteAddress, port: remotePort }, local: { address: localAddress, port: localPort } };
  for (const file of TABLES) {
    const text = await readFile(file, 'latin1').catch(() => null);
    const uid = text === null ? null : findPeerUid(text, ends);
    if (uid !== null) return uid;
  }
  return null;
}

/** Resolves true only when the client end of `socket` belongs to this process's uid. */
export async function isOwnUidPeer(socket: Socket): Promise<boolean> {
  const own = typeof process.getuid === 'function' ? process.getuid() : null;
  if (own === null) return false;
  return (await loopbackPeerUid(socket)) === own;
}
