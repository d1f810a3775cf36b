/**
 * Load mode of `npm run bench` (issue 10): for one worker count, a fresh gateway with
 * `session.workers` set, N signed-in sessions on the long Japanese article, M of them
 * wheel-scrolling, and one more of them as the probe measuring input→frame latency on
 * `/color` with the streaming bench's method while the others scroll.
 */
import os from 'node:os';
import { addStaff, launchUserBrowser, startHarness } from '../test/e2e/support/gateway-harness.js';
import { startFixtureSite } from '../test/e2e/support/fixture-site.js';
import { loadMemory, placement, type LoadMemory } from './load-memory.js';
import { openSessions, startScrolling } from './load-sessions.js';
import { round, sleep } from './stats.js';
import { inputToFrameLatency, type LatencyResult } from './streaming.js';

export interface LoadSettings {
  /** Sessions to open, the probe included. */
  sessions: number;
  /** How many of them scroll while the probe measures. */
  scrolling: number;
  /** Probe clicks. */
  clicks: number;
  /** Sign-ins in flight at once while opening. */
  concurrency: number;
  /** Extra gateway config (BENCH_GATEWAY). */
  overrides: Record<string, unknown>;
}

export interface LoadResult {
  workers: number;
  requested: number;
  opened: number;
  failures: string[];
  openSeconds: number;
  /** Sessions per worker after opening. */
  placement: number[];
  /** Before any session (warm pool filled), with every session open and idle, and while M scroll. */
  memory: { empty: LoadMemory; idle: LoadMemory; scrolling: LoadMemory };
  /** Chromium PSS of all workers ÷ open sessions, idle. */
  pssPerSessionMiB: number;
  /** (Chromium PSS idle − Chromium PSS empty) ÷ open sessions: what one more session costs. */
  marginalPssPerSessionMiB: number;
  probe: LatencyResult | null;
  scrollers: { count: number; framesPerSecondEach: number; errors: string[] };
  /** Cores busy during the probe window: workers with their Chromium, the bench process (gateway + playwright driver), the user's Chromium, the whole machine. */
  cpuCores: { workers: number; gateway: number; userBrowser: number; machine: number };
  sessionsPerCore: number;
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
}

const loadavg = (): number[] => os.loadavg().map((v) => round(v, 2));

export async function loadBench(workers: number, s: LoadSettings, log: (line: string) => void): Promise<LoadResult> {
  const started = performance.now();
  const start = loadavg();
  const site = await startFixtureSite();
  const harness = await startHarness({ ...s.overrides, 'session.workers': workers, 'session.maxSessions': s.sessions + 10 }, [site.url]);
  // Staff have no second factor to type; each sign-in of the account is its own session.
  await addStaff(harness);
  const browser = await launchUserBrowser();
  try {
    await sleep(3000); // warm pool filled
    const empty = loadMemory(harness, 0);
    const article = `${site.url}/japanese`;
    const opened = await openSessions(browser, harness.url, article, s.sessions, {
      user: 'staff',
      concurrency: s.concurrency,
      onOpened: (n) => {
        if (n % 10 === 0) log(`  ${n} sessions open (load ${loadavg().join(' ')})`);
      },
    });
    log(`  opened ${opened.pages.length}/${s.sessions} in ${round(opened.seconds, 0)} s${opened.failures.length ? `; ${opened.failures.length} failed` : ''}`);
    await sleep(5000); // let the pages and the warm pool settle
    const idle = loadMemory(harness, opened.pages.length);
    const [probePage, ...others] = opened.pages;
    const scrollPages = others.slice(0, s.scrolling);
    const scrollers = await startScrolling(scrollPages);
    await sleep(2000);
    const before = loadMemory(harness, opened.pages.length);
    const framesBefore = await scrollers.framesSinceStart();
    const t0 = performance.now();
    const probe = probePage ? await inputToFrameLatency(probePage, `${site.url}/color`, s.clicks) : null;
    const windowSeconds = (performance.now() - t0) / 1000;
    const framesDuring = (await scrollers.framesSinceStart()) - framesBefore;
    const during = loadMemory(harness, opened.pages.length);
    const scrollErrors = await scrollers.stop();
    const [b, d] = [before.cpu, during.cpu];
    const cores = (k: keyof LoadMemory['cpu']): number => round((d[k] - b[k]) / windowSeconds, 2);
    const n = opened.pages.length;
    return {
      workers,
      requested: s.sessions,
      opened: n,
      failures: opened.failures,
      openSeconds: round(opened.seconds),
      placement: placement(harness),
      memory: { empty, idle, scrolling: during },
      pssPerSessionMiB: round(n ? idle.chromiumPssMiB / n : Number.NaN),
      marginalPssPerSessionMiB: round(n ? (idle.chromiumPssMiB - empty.chromiumPssMiB) / n : Number.NaN),
      probe,
      scrollers: { count: scrollPages.length, framesPerSecondEach: round(scrollPages.length ? framesDuring / windowSeconds / scrollPages.length : 0), errors: scrollErrors },
      cpuCores: { workers: cores('workersSeconds'), gateway: cores('gatewaySeconds'), userBrowser: cores('userBrowserSeconds'), machine: cores('machineSeconds') },
      sessionsPerCore: round(n / os.availableParallelism()),
      loadAverage: { start, end: loadavg() },
      seconds: round((performance.now() - started) / 1000, 0),
    };
  } finally {
    await browser.close();
    await harness.close();
    await site.close();
  }
}
