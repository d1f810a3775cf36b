/** The bounded, expiring map behind sign-in flows, SAML request ids and the assertion replay memory. */
import { describe, expect, it } from 'vitest';
import { ExpiringMap } from '../../../../gateway/federation/expiring-map.js';

describe('ExpiringMap', () => {
  it('forgets entries after their time and hands each out once with take()', () => {
    let now = 1000;
    const map = new ExpiringMap<string>(100, 10, () => now);
    map.set('a', 'flow-a');
    expect(map.take('a')).toBe('flow-a');
    expect(map.take('a')).toBeUndefined();
    map.set('b', 'flow-b');
    now += 100;
    expect(map.get('b')).toBeUndefined();
    map.set('c', 'long', 1000);
    now += 500;
    expect(map.has('c')).toBe(true);
  });

  it('drops the oldest entries when full, so anonymous starts cannot grow it without bound', () => {
    const map = new ExpiringMap<number>(60_000, 3);
    for (let i = 0; i < 10; i += 1) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect(map.get('k0')).toBeUndefined();
    expect(map.get('k9')).toBe(9);
  });
});
