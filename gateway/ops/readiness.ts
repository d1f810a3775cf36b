/**
 * Readiness of the gateway: Chromium connected, store answering, clamd reachable.
 * The clamd check costs a network round trip, so its result is cached for a few
 * seconds (and concurrent probes share one check); the other two are cheap local
 * calls and run every time. A check that throws or times out counts as down.
 */

export interface ReadinessChecks {
  chromium(): boolean;
  store(): boolean;
  clamd(): Promise<boolean>;
}

export type ComponentName = keyof ReadinessChecks;

export interface ReadinessResult {
  ready: boolean;
  /** Components that failed; for server-side logs only, never for the response body. */
  failed: ComponentName[];
}

export interface ReadinessOptions {
  /** How long a clamd result is reused; default 5000 ms. */
  clamdCacheMs?: number;
  /** A clamd check slower than this counts as down; default 2000 ms. */
  clamdTimeoutMs?: number;
  /** Called with every fresh clamd result (e.g. Metrics.clamdUp). */
  onClamdResult?: (up: boolean) => void;
  now?: () => number;
}

export class Readiness {
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private clamdCache: { up: boolean; at: number } | null = null;
  private clamdInFlight: Promise<boolean> | null = null;

  constructor(
    private readonly checks: ReadinessChecks,
    private readonly options: ReadinessOptions = {},
  ) {
    this.cacheMs = options.clamdCacheMs ?? 5000;
    this.timeoutMs = options.clamdTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  async check(): Promise<ReadinessResult> {
    const failed: ComponentName[] = [];
    if (!safeSync(() => this.checks.chromium())) failed.push('chromium');
    if (!safeSync(() => this.checks.store())) failed.push('store');
    if (!(await this.clamd())) failed.push('clamd');
    return { ready: failed.length === 0, failed };
  }

  private clamd(): Promise<boolean> {
    const cached = this.clamdCache;
    if (cached && this.now() - cached.at < this.cacheMs) return Promise.resolve(cached.up);
    this.clamdInFlight ??= withTimeout(this.checks.clamd(), this.timeoutMs)
      .catch(() => false)
      .then((up) => {
        this.clamdCache = { up, at: this.now() };
        this.clamdInFlight = null;
        this.options.onClamdResult?.(up);
        return up;
      });
    return this.clamdInFlight;
  }
}

function safeSync(check: () => boolean): boolean {
  try {
    return check() === true;
  } catch {
    return false;
  }
}

function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([Promise.resolve(promise).then((v) => v === true), timeout]).finally(() => clearTimeout(timer));
}
