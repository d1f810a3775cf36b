import { describe, expect, it } from 'vitest';
import { canonicalAddress, cidrContains, classifyAddress, isDeniedByDefault, parseCidr, parseIp } from '../../../policies/index.js';

describe('canonicalAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['::ffff:0:a00:1', '10.0.0.1'],
    ['::127.0.0.1', '127.0.0.1'],
    ['::a9fe:a9fe', '169.254.169.254'],
    ['64:ff9b::7f00:1', '127.0.0.1'],
    ['64:ff9b::192.168.0.1', '192.168.0.1'],
    ['2002:c0a8:101::1', '192.168.1.1'],
    ['[::ffff:10.1.2.3]', '10.1.2.3'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['8.8.8.8', '8.8.8.8'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it('rejects what is not a strict IP literal', () => {
    for (const bad of ['2130706433', '127.1', '0x7f.0.0.1', 'example.jp', '1.2.3.4.5', 'fe80::1%eth0', '']) {
      expect(parseIp(bad), bad).toBeNull();
      expect(canonicalAddress(bad), bad).toBeNull();
    }
  });
});

describe('classifyAddress and isDeniedByDefault', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fec0::1', 'site-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['0.1.2.3', 'this-network'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001::1', 'reserved'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['64:ff9b::808:808', 'public'],
  ])('%s is %s', (addr, cls) => {
    expect(classifyAddress(addr)).toBe(cls);
    expect(isDeniedByDefault(addr)).toBe(cls !== 'public');
  });

  it('denies text that is not an address (fail closed)', () => {
    expect(isDeniedByDefault('example.jp')).toBe(true);
    expect(() => classifyAddress('example.jp')).toThrow(TypeError);
  });
});

describe('CIDR', () => {
  it('parses and canonicalizes blocks', () => {
    expect(parseCidr('10.0.0.0/8')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('192.168.1.7')?.text).toBe('192.168.1.7/32');
    expect(parseCidr('FD00::/8')?.text).toBe('fd00::/8');
    expect(parseCidr('::ffff:127.0.0.0/104')?.text).toBe('127.0.0.0/8');
    expect(parseCidr('64:ff9b::a00:0/120')?.text).toBe('10.0.0.0/24');
  });

  it.each(['10.0.0.1/8', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'example.jp/8', '10.0.0.0/0x8', ''])('rejects %j', (bad) => {
    expect(parseCidr(bad)).toBeNull();
  });

  it('matches the address as written and its canonical form', () => {
    expect(cidrContains('127.0.0.0/8', '127.0.0.1')).toBe(true);
    expect(cidrContains('127.0.0.0/8', '::ffff:127.0.0.1')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '64:ff9b::a01:203')).toBe(true);
    expect(cidrContains('192.168.0.0/16', '2002:c0a8:0101::1')).toBe(true);
    expect(cidrContains('::ffff:0:0/96', '::ffff:1.2.3.4')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(cidrContains('fd00::/8', '10.0.0.1')).toBe(false);
    expect(cidrContains('not-a-cidr', '10.0.0.1')).toBe(false);
  });
});
