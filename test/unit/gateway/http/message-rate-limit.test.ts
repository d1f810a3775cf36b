import { describe, expect, it } from 'vitest';
import { MessageRateLimit, TokenBucket, type RateLimits } from '../../../../gateway/http/message-rate-limit.js';

const limits: RateLimits = { messagesPerSecond: 10, messageBurst: 20, bytesPerSecond: 1000, byteBurst: 2000, strikes: 5, strikesPerSecond: 1 };

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('message rate limit', () => {
  it('refills a token bucket over time up to its capacity', () => {
    const c = clock();
    const bucket = new TokenBucket(3, 2, c.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    c.advance(500);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    c.advance(60_000);
    expect(bucket.available()).toBe(3);
  });

  it('lets a burst through, then drops the excess', () => {
    const c = clock();
    const rate = new MessageRateLimit(limits, c.now);
    const verdicts = Array.from({ length: 22 }, () => rate.check(10));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(20);
    expect(verdicts.slice(20)).toEqual(['drop', 'drop']);
    c.advance(1000);
    expect(rate.check(10)).toBe('ok');
  });

  it('limits bytes as well as messages, without charging refused messages', () => {
    const c = clock();
    const rate = new MessageRateLimit(limits, c.now);
    expect(rate.check(1500)).toBe('ok');
    expect(rate.check(1000)).toBe('drop');
    expect(rate.check(500)).toBe('ok');
  });

  it('closes only when dropping goes on: strikes recover at a normal pace', () => {
    const c = clock();
    const rate = new MessageRateLimit(limits, c.now);
    for (let i = 0; i < 20; i++) rate.check(1);
    // A short burst over the limit costs a few strikes and recovers.
    expect([rate.check(1), rate.check(1), rate.check(1)]).toEqual(['drop', 'drop', 'drop']);
    c.advance(5000);
    for (let i = 0; i < 70; i++) rate.check(1);
    // A flood runs out of strikes.
    const flood = Array.from({ length: 10 }, () => rate.check(1));
    expect(flood).toContain('close');
  });
});
