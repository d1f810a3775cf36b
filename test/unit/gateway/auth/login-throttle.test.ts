/** Issue 9, item 16: throttling per name-and-address, per name, and per address for unrecognized names. */
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../../gateway/auth/login-throttle.js';

function clock() {
  const c = { now: 0 };
  return { c, throttle: new LoginThrottle({}, () => c.now) };
}

describe('login throttle', () => {
  it('locks a name at one address after 5 failures, leaving colleagues and other addresses alone, then unlocks', () => {
    const { c, throttle } = clock();
    for (let i = 0; i < 4; i++) throttle.recordFailure('alice', '10.0.0.1');
    expect(throttle.isLocked('alice', '10.0.0.1')).toBe(false);
    throttle.recordFailure('alice', '10.0.0.1');
    expect(throttle.isLocked('ALICE', '10.0.0.1')).toBe(true);
    expect(throttle.isLocked('alice', '10.0.0.1', 'after-password')).toBe(true);
    expect(throttle.isLocked('bob', '10.0.0.1')).toBe(false);
    expect(throttle.isLocked('alice', '10.0.0.9')).toBe(false);
    c.now += 16 * 60_000;
    expect(throttle.isLocked('alice', '10.0.0.1')).toBe(false);
  });

  it('locks a name everywhere after 20 failures spread over several addresses', () => {
    const { throttle } = clock();
    for (let a = 1; a <= 5; a++) for (let i = 0; i < 4; i++) throttle.recordFailure('alice', `10.0.0.${a}`);
    expect(throttle.isLocked('alice', '10.9.9.9')).toBe(true);
    expect(throttle.isLocked('bob', '10.9.9.9')).toBe(false);
  });

  it('20 made-up names from one address do not lock real users there', () => {
    const { throttle } = clock();
    for (let i = 0; i < 20; i++) throttle.recordFailure(`made-up-${i}`, '10.0.0.2');
    expect(throttle.isLocked('carol', '10.0.0.2')).toBe(false);
  });

  it('spraying past 50 failures from one address stops names not recognized there, not staff who signed in from it', () => {
    const { c, throttle } = clock();
    throttle.recordSuccess('dave', '10.0.0.2');
    c.now += 3600_000;
    for (let i = 0; i < 50; i++) throttle.recordFailure(`name-${i}`, '10.0.0.2');
    // Unknown and unrecognized real names get the same answer, so it tells nothing.
    expect(throttle.isLocked('made-up', '10.0.0.2')).toBe(true);
    expect(throttle.isLocked('carol', '10.0.0.2')).toBe(true);
    expect(throttle.isLocked('DAVE', '10.0.0.2')).toBe(false);
    // Codes and password changes come after a right password: not held by the address lock.
    expect(throttle.isLocked('carol', '10.0.0.2', 'after-password')).toBe(false);
    expect(throttle.isLocked('carol', '10.0.0.3')).toBe(false);
    c.now += 16 * 60_000;
    expect(throttle.isLocked('carol', '10.0.0.2')).toBe(false);
  });

  it('a recognized name still gets only 5 guesses at that address', () => {
    const { throttle } = clock();
    throttle.recordSuccess('dave', '10.0.0.2');
    for (let i = 0; i < 5; i++) throttle.recordFailure('dave', '10.0.0.2');
    expect(throttle.isLocked('dave', '10.0.0.2')).toBe(true);
  });

  it('forgets a recognition after its lifetime', () => {
    const { c, throttle } = clock();
    throttle.recordSuccess('dave', '10.0.0.2');
    c.now += 31 * 24 * 3600_000;
    for (let i = 0; i < 50; i++) throttle.recordFailure(`name-${i}`, '10.0.0.2');
    expect(throttle.isLocked('dave', '10.0.0.2')).toBe(true);
  });
});

describe('memory', () => {
  it('keeps at most 100,000 counters however many names and addresses fail', () => {
    const { throttle } = clock();
    for (let i = 0; i < 60_000; i++) throttle.recordFailure(`user${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(throttle.trackedCount).toBeLessThanOrEqual(100_000);
    // The newest failures still count.
    for (let n = 0; n < 4; n++) throttle.recordFailure('user59999', '10.0.234.95');
    expect(throttle.isLocked('user59999', '10.0.234.95')).toBe(true);
  });
});
