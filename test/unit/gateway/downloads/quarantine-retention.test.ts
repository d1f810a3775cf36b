import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEventInput } from '../../../../gateway/audit/audit-log.js';
import { purgeExpired, startRetentionTimer } from '../../../../gateway/downloads/quarantine-retention.js';
import type { QuarantineFilter, QuarantineRecord } from '../../../../gateway/downloads/quarantine-store.js';

const DAY = 24 * 60 * 60 * 1000;

afterEach(() => vi.useRealTimers());

describe('purgeExpired', () => {
  it('goes on past a record it cannot delete, reports it, and audits the outcome as error', async () => {
    const rows = new Map<string, string>([
      ['a', '2026-01-01T00:00:00.000Z'],
      ['b', '2026-01-02T00:00:00.000Z'],
      ['c', '2026-06-29T00:00:00.000Z'],
    ]);
    const store = {
      list: (f: QuarantineFilter = {}) =>
        [...rows]
          .filter(([, at]) => f.until === undefined || at < f.until)
          .sort((x, y) => y[1].localeCompare(x[1]))
          .slice(0, f.limit ?? 100)
          .map(([id, createdAt]) => ({ id, createdAt }) as QuarantineRecord),
      delete: async (id: string) => {
        if (id === 'b') throw new Error('EACCES');
        return rows.delete(id);
      },
    };
    const events: AuditEventInput[] = [];
    const r = await purgeExpired(store, { retentionDays: 90, now: () => new Date('2026-06-30T00:00:00Z'), audit: { record: (e) => (events.push(e), undefined as never) } });
    expect(r.deleted).toEqual(['a']);
    expect(r.failed).toEqual([{ id: 'b', error: 'EACCES' }]);
    expect([...rows.keys()]).toEqual(['b', 'c']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'quarantine-retention', outcome: 'error', details: { count: 1, ids: ['a'], failed: [{ id: 'b' }] } });
  });

  it('refuses a retention that is not a positive whole number of days', async () => {
    const store = { list: () => [], delete: async () => false };
    await expect(purgeExpired(store, { retentionDays: 0, audit: { record: () => undefined as never } })).rejects.toThrow(RangeError);
  });
});

describe('startRetentionTimer', () => {
  it('runs at once, then every interval, never overlapping, and not after stop()', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let finish: (() => void) | undefined;
    const timer = startRetentionTimer(() => {
      calls++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(DAY); // the first run is still going: skipped
    expect(calls).toBe(1);
    finish!();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(calls).toBe(2);
    const stopped = timer.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false); // waits for the run in progress
    finish!();
    await stopped;
    await vi.advanceTimersByTimeAsync(3 * DAY);
    expect(calls).toBe(2);
  });

  it('reports a failing run and tries again at the next interval', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const timer = startRetentionTimer(async () => {
      calls++;
      throw new Error('database is locked');
    }, 1000, (err) => errors.push(err));
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
    await timer.stop();
  });
});
