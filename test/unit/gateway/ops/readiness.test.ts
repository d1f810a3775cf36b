/** Readiness: all three components must be up; the clamd result is cached and shared. */
import { describe, expect, it } from 'vitest';
import { Readiness, type ReadinessChecks } from '../../../../gateway/ops/readiness.js';

function fakeChecks(state: { chromium: boolean; store: boolean; clamd: boolean | Error }): ReadinessChecks & { clamdCalls: number } {
  const checks = {
    clamdCalls: 0,
    chromium: () => state.chromium,
    store: () => state.store,
    clamd: async () => {
      checks.clamdCalls++;
      if (state.clamd instanceof Error) throw state.clamd;
      return state.clamd;
    },
  };
  return checks;
}

describe('Readiness', () => {
  it('is ready only when Chromium, the store and clamd are all up, and names what failed', async () => {
    const state = { chromium: true, store: true, clamd: true as boolean | Error };
    const readiness = new Readiness(fakeChecks(state), { clamdCacheMs: 0 });
    expect(await readiness.check()).toEqual({ ready: true, failed: [] });
    state.chromium = false;
    state.clamd = new Error('ECONNREFUSED');
    expect(await readiness.check()).toEqual({ ready: false, failed: ['chromium', 'clamd'] });
  });

  it('treats a throwing synchronous check as down', async () => {
    const checks = { ...fakeChecks({ chromium: true, store: true, clamd: true }), store: () => { throw new Error('SQLITE_CANTOPEN'); } };
    expect(await new Readiness(checks).check()).toEqual({ ready: false, failed: ['store'] });
  });

  it('reuses the clamd result for the cache period, then asks again', async () => {
    let now = 1000;
    const state = { chromium: true, store: true, clamd: true as boolean | Error };
    const checks = fakeChecks(state);
    const seen: boolean[] = [];
    const readiness = new Readiness(checks, { clamdCacheMs: 5000, now: () => now, onClamdResult: (up) => seen.push(up) });
    await readiness.check();
    state.clamd = false;
    now += 4000;
    expect((await readiness.check()).ready).toBe(true);
    expect(checks.clamdCalls).toBe(1);
    now += 2000;
    expect(await readiness.check()).toEqual({ ready: false, failed: ['clamd'] });
    expect(checks.clamdCalls).toBe(2);
    expect(seen).toEqual([true, false]);
  });

  it('shares one clamd check between concurrent probes and times a hung one out', async () => {
    let calls = 0;
    const checks: ReadinessChecks = { chromium: () => true, store: () => true, clamd: () => (calls++, new Promise<boolean>(() => undefined)) };
    const readiness = new Readiness(checks, { clamdTimeoutMs: 30 });
    const results = await Promise.all([readiness.check(), readiness.check()]);
    expect(results.map((r) => r.failed)).toEqual([['clamd'], ['clamd']]);
    expect(calls).toBe(1);
  });
});
