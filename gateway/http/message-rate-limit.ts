/**
 * Rate limits of one viewer connection, checked before a message is parsed so a
 * flood costs the gateway as little as possible. Two token buckets (messages and
 * bytes) let a normal viewer burst — typing, a large paste, a fast drag — and
 * drop the excess of a client that sends more than any viewer needs. Every drop
 * costs a "strike"; strikes refill slowly, so only sustained abuse runs out of
 * them, and then the connection is closed.
 */

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Tokens available now (after refilling). */
  available(): number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    return this.tokens;
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    if (this.available() < n) return false;
    this.tokens -= n;
    return true;
  }
}

export interface RateLimits {
  /** Sustained messages per second, and how many may come at once. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Sustained bytes per second, and how many may come at once (at least one largest message). */
  bytesPerSecond: number;
  byteBurst: number;
  /** Dropped messages tolerated before the connection is closed, and how fast that allowance recovers. */
  strikes: number;
  strikesPerSecond: number;
}

/**
 * A viewer sends at most ~60 pointer moves, ~60 wheel events and ~60 frame acks
 * a second (the client coalesces per animation frame), plus keys; 200/s with a
 * burst of 400 leaves room for all of that at once. 1 MiB/s of JSON fits several
 * 100,000-character pastes a second. A client that keeps sending faster than that
 * for a few seconds (e.g. 20,000 messages/s) runs out of strikes within a second.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  messagesPerSecond: 200,
  messageBurst: 400,
  bytesPerSecond: 1024 * 1024,
  byteBurst: 2 * 1024 * 1024,
  strikes: 2000,
  strikesPerSecond: 50,
};

export type RateVerdict = 'ok' | 'drop' | 'close';

export class MessageRateLimit {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly strikes: TokenBucket;

  constructor(limits: RateLimits = DEFAULT_RATE_LIMITS, now: () => number = () => performance.now()) {
    this.messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, now);
    this.bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, now);
    this.strikes = new TokenBucket(limits.strikes, limits.strikesPerSecond, now);
  }

  /** Whether a message of `size` bytes may be handled, must be dropped, or ends the connection. */
  check(size: number): RateVerdict {
    // Take from both buckets or from neither, so a refused message costs no budget.
    if (this.messages.available() >= 1 && this.bytes.available() >= size) {
      this.messages.take(1);
      this.bytes.take(size);
      return 'ok';
    }
    return this.strikes.take(1) ? 'drop' : 'close';
  }
}
