import { describe, expect, it } from 'vitest';
import { findPeerUid } from '../../../../gateway/egress/peer-owner.js';

// Lines as a little-endian x86 kernel prints them.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1457 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A06B 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 2001 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:A06B 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:A06C 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 2003 1 0000000000000000 20 4 30 10 -1
`;
// ::1 port 8080 <- ::1 port 41067, owned by uid 1000; and an IPv4-mapped client.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:A06B 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 3001 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:A06D 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000   42        0 3002 1 0000000000000000 20 4 30 10 -1
`;

const ends = (peerAddress: string, peerPort: number, localAddress = '127.0.0.1', localPort = 0x1f90) => ({
  peer: { address: peerAddress, port: peerPort },
  local: { address: localAddress, port: localPort },
});

describe('egress proxy peer owner (/proc/net/tcp)', () => {
  it('reads the uid of the client end, not of our own accepted end', () => {
    expect(findPeerUid(TCP, ends('127.0.0.1', 0xa06b), true)).toBe(65534);
    expect(findPeerUid(TCP, ends('127.0.0.1', 0xa06c), true)).toBe(1000);
  });

  it('finds IPv6 and IPv4-mapped clients in tcp6', () => {
    expect(findPeerUid(TCP6, ends('::1', 0xa06b, '::1'), true)).toBe(1000);
    expect(findPeerUid(TCP6, ends('::ffff:127.0.0.1', 0xa06d, '::ffff:127.0.0.1'), true)).toBe(42);
    expect(findPeerUid(TCP6, ends('127.0.0.1', 0xa06d), true)).toBe(42);
  });

  it('finds nothing (so the proxy refuses) for an unknown port, another local port or bad input', () => {
    expect(findPeerUid(TCP, ends('127.0.0.1', 0xa06e), true)).toBeNull();
    expect(findPeerUid(TCP, ends('127.0.0.1', 0xa06b, '127.0.0.1', 0x1f91), true)).toBeNull();
    expect(findPeerUid(TCP, ends('127.0.0.2', 0xa06b), true)).toBeNull();
    expect(findPeerUid(TCP, ends('not-an-ip', 0xa06b), true)).toBeNull();
    expect(findPeerUid('', ends('127.0.0.1', 0xa06b), true)).toBeNull();
  });

  it('reads the address words in big-endian order on a big-endian host', () => {
    const be = TCP.replaceAll('0100007F', '7F000001');
    expect(findPeerUid(be, ends('127.0.0.1', 0xa06b), false)).toBe(65534);
  });
});
