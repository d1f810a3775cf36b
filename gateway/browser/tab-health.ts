/**
 * Notices when a tab's page stops answering or its renderer crashes, so the viewer
 * can say so and offer Reload and Close instead of showing a frozen picture
 * (issue 9, item 18).
 *
 * - Unresponsive: while the tab is the active, streaming one, a trivial
 *   `Runtime.evaluate("1")` (the `ping`) goes to the page every `intervalMs`.
 *   Chromium answers it on the page's main thread, so a script in `while(true){}`
 *   or an endless, suppressed alert loop leaves it unanswered; after `timeoutMs`
 *   the tab is unresponsive until an answer comes or a new document commits.
 *   A page waiting in a JavaScript dialog for the user is not hung: no probe is
 *   sent then, and a probe that was already out does not count.
 * - Crashed: the tab's CDP session reports `Inspector.targetCrashed`; the tab is
 *   ok again once a new document commits (a reload).
 *
 * Only one probe is out at a time, so a hung page costs one pending CDP call.
 */

export type TabHealthState = 'ok' | 'unresponsive' | 'crashed';

export interface TabHealthOptions {
  /** How often the active tab is probed. */
  intervalMs: number;
  /** How long a probe may stay unanswered before the tab counts as unresponsive. */
  timeoutMs: number;
  now?: () => number;
}

export const DEFAULT_TAB_HEALTH: TabHealthOptions = { intervalMs: 2000, timeoutMs: 5000 };

export class TabHealth {
  private current: TabHealthState = 'ok';
  private timer: NodeJS.Timeout | null = null;
  /** The probe that is out, if any, and when it was sent. */
  private outstanding: { sentAt: number } | null = null;
  private readonly now: () => number;

  constructor(
    /** Resolves when the page's main thread answered; rejects when the tab is gone. */
    private readonly ping: () => Promise<unknown>,
    /** True while a JavaScript dialog of this tab waits for the user. */
    private readonly waitingForUser: () => boolean,
    private readonly onChange: (state: TabHealthState) => void,
    private readonly options: TabHealthOptions = DEFAULT_TAB_HEALTH,
  ) {
    this.now = options.now ?? Date.now;
  }

  get state(): TabHealthState {
    return this.current;
  }

  /** Starts probing (the tab became the active, streaming one). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops probing; an answer to a probe already out still counts. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The renderer crashed (CDP Inspector.targetCrashed). */
  crashed(): void {
    this.outstanding = null;
    this.set('crashed');
  }

  /** A new document committed in the main frame: the renderer works again. */
  newDocument(): void {
    this.outstanding = null;
    this.set('ok');
  }

  /** One probe step; exposed for tests, otherwise called by the timer. */
  tick(): void {
    if (this.current === 'crashed') return;
    const out = this.outstanding;
    if (out) {
      if (this.now() - out.sentAt >= this.options.timeoutMs && !this.waitingForUser()) this.set('unresponsive');
      return;
    }
    if (this.waitingForUser()) return;
    const probe = { sentAt: this.now() };
    this.outstanding = probe;
    this.ping().then(
      () => {
        if (this.outstanding !== probe) return;
        this.outstanding = null;
        if (this.current === 'unresponsive') this.set('ok');
      },
      () => {
        // The tab closed or crashed; the crash has its own event.
        if (this.outstanding === probe) this.outstanding = null;
      },
    );
  }

  private set(state: TabHealthState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
