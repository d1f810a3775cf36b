/**
 * Failed-login throttling, per account name and per source address, so guessing
 * is slowed whichever one an attacker varies. In memory: a restart clears it,
 * which is acceptable because a restart is itself rare and logged.
 */
export interface ThrottleOptions {
  maxPerAccount: number;
  maxPerAddress: number;
  windowMs: number;
  lockMs: number;
}

const DEFAULTS: ThrottleOptions = { maxPerAccount: 5, maxPerAddress: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: ThrottleOptions;

  constructor(opts: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** True when either the account or the address is locked right now. */
  isLocked(account: string, address: string): boolean {
    const t = this.now();
    return [this.key('a', account), this.key('s', address)].some((k) => (this.entries.get(k)?.lockedUntil ?? 0) > t);
  }

  recordFailure(account: string, address: string): void {
    this.bump(this.key('a', account), this.opts.maxPerAccount);
    this.bump(this.key('s', address), this.opts.maxPerAddress);
  }

  recordSuccess(account: string): void {
    this.entries.delete(this.key('a', account));
  }

  private key(kind: string, value: string): string {
    return `${kind}:${value.toLowerCase()}`;
  }

  private bump(key: string, max: number): void {
    const t = this.now();
    const entry = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((at) => t - at < this.opts.windowMs);
    entry.failures.push(t);
    if (entry.failures.length >= max) {
      entry.lockedUntil = t + this.opts.lockMs;
      entry.failures = [];
    }
    this.entries.set(key, entry);
    if (this.entries.size > 100_000) this.prune(t);
  }

  private prune(t: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.lockedUntil < t && entry.failures.every((at) => t - at >= this.opts.windowMs)) this.entries.delete(key);
    }
  }
}
