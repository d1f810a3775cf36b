/**
 * Failed-sign-in throttling. The policy (docs/architecture.md, "Sign-in throttling"):
 *
 * 1. **Name at address** — `maxPerNameAtAddress` failures for one name from one address
 *    lock that name from that address. One user mistyping locks only themselves, not the
 *    colleagues at the same terminal or behind the same proxy.
 * 2. **Name anywhere** — `maxPerName` failures for one name from all addresses together
 *    lock that name everywhere (guessing one password from many machines). Because rule 1
 *    stops each address first, this takes several addresses.
 * 3. **Address** — `maxPerAddress` failures from one address, whatever the names
 *    (password spraying: one guess for each of many names), lock that address for every
 *    name *that has not signed in successfully from it* within `recognizedMs`. Staff who
 *    work at that terminal keep signing in; new names from it wait.
 *
 * Every rule counts made-up and real names alike and answers "locked" alike, so the
 * answers never tell which names exist. Failures are not counted while locked. In
 * memory: a restart clears it, which is acceptable because a restart is itself rare
 * and logged.
 */
export interface ThrottleOptions {
  maxPerNameAtAddress: number;
  maxPerName: number;
  maxPerAddress: number;
  windowMs: number;
  lockMs: number;
  /** How long a successful sign-in keeps its name recognized at that address. */
  recognizedMs: number;
}

const DEFAULTS: ThrottleOptions = {
  maxPerNameAtAddress: 5,
  maxPerName: 20,
  maxPerAddress: 50,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  recognizedMs: 30 * 24 * 3600_000,
};

/** Bound on remembered entries; beyond it expired ones go, then the oldest. */
const MAX_ENTRIES = 100_000;

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/** Which checks a step needs: the password step also obeys the per-address lock. */
export type ThrottleStep = 'password' | 'after-password';

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  /** `name@address` → time of the last successful sign-in. */
  private readonly recognized = new Map<string, number>();
  private readonly opts: ThrottleOptions;

  constructor(opts: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /**
   * True when this name may not try now from this address. `after-password` (codes, a
   * password change) skips the per-address lock: that person already knew the password.
   */
  /** How many counters are kept (bounded; for tests and diagnostics). */
  get trackedCount(): number {
    return this.entries.size;
  }

  isLocked(name: string, address: string, step: ThrottleStep = 'password'): boolean {
    const t = this.now();
    const locked = (key: string) => (this.entries.get(key)?.lockedUntil ?? 0) > t;
    if (locked(this.pairKey(name, address)) || locked(this.nameKey(name))) return true;
    return step === 'password' && locked(this.addressKey(address)) && !this.isRecognized(name, address, t);
  }

  recordFailure(name: string, address: string): void {
    this.bump(this.pairKey(name, address), this.opts.maxPerNameAtAddress);
    this.bump(this.nameKey(name), this.opts.maxPerName);
    this.bump(this.addressKey(address), this.opts.maxPerAddress);
  }

  /** A completed sign-in: clears this name's count at this address and recognizes the pair. */
  recordSuccess(name: string, address: string): void {
    const key = this.pairKey(name, address);
    this.entries.delete(key);
    this.recognized.delete(key);
    this.recognized.set(key, this.now());
    if (this.recognized.size > MAX_ENTRIES) this.pruneRecognized(this.now());
  }

  private isRecognized(name: string, address: string, t: number): boolean {
    const at = this.recognized.get(this.pairKey(name, address));
    return at !== undefined && t - at < this.opts.recognizedMs;
  }

  private pairKey(name: string, address: string): string {
    return `p:${name.toLowerCase()}@${address}`;
  }

  private nameKey(name: string): string {
    return `n:${name.toLowerCase()}`;
  }

  private addressKey(address: string): string {
    return `a:${address}`;
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
    if (this.entries.size > MAX_ENTRIES) this.prune(t);
  }

  /**
   * Drops expired entries, then the oldest ones down to 90 % of the cap: memory stays
   * bounded, and the next full pass comes only after many more failures (no pass per failure).
   */
  private prune(t: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.lockedUntil < t && entry.failures.every((at) => t - at >= this.opts.windowMs)) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES * 0.9) break;
      this.entries.delete(key);
    }
  }

  private pruneRecognized(t: number): void {
    for (const [key, at] of this.recognized) {
      if (t - at >= this.opts.recognizedMs || this.recognized.size > MAX_ENTRIES) this.recognized.delete(key);
    }
  }
}
