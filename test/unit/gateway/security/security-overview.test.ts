/** The security overview's counts: Japan-time days, a 7-day week, top sites and types. */
import { describe, expect, it } from 'vitest';
import { buildOverview, startOfJstDay, weekStart } from '../../../../gateway/security/security-overview.js';

// 2026-12-02 10:00 in Japan.
const NOW = new Date('2026-12-02T01:00:00Z');

describe('security overview', () => {
  it('starts the day and the week at midnight Japan time', () => {
    expect(startOfJstDay(NOW).toISOString()).toBe('2026-12-01T15:00:00.000Z');
    expect(weekStart(NOW).toISOString()).toBe('2026-11-25T15:00:00.000Z');
  });

  it('counts today and the week, per day, with the sites and types blocked most', () => {
    const rows = [
      { createdAt: '2026-12-02T00:30:00Z', sourceUrl: 'https://bad.example/a.exe', trueType: 'exe' },
      { createdAt: '2026-12-01T15:10:00Z', sourceUrl: 'https://bad.example/b.exe', trueType: 'exe' },
      // 23:50 on 1 December in Japan: yesterday.
      { createdAt: '2026-12-01T14:50:00Z', sourceUrl: 'https://other.example/x.docm', trueType: 'docm' },
      { createdAt: '2026-11-26T00:00:00Z', sourceUrl: 'print:', trueType: 'pdf' },
      // Older than the week: left out.
      { createdAt: '2026-11-25T14:00:00Z', sourceUrl: 'https://old.example/', trueType: 'zip' },
    ];
    const o = buildOverview(rows, 3, { ok: true, count: 120 }, NOW);
    expect(o.blockedToday).toBe(2);
    expect(o.blockedWeek).toBe(4);
    expect(o.perDay.map((d) => d.day)).toEqual(['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(o.perDay.map((d) => d.count)).toEqual([1, 0, 0, 0, 0, 1, 2]);
    expect(o.topSites[0]).toEqual({ name: 'bad.example', count: 2 });
    expect(o.topTypes.map((t) => t.name)).toEqual(['exe', 'docm', 'pdf']);
    expect(o.pendingApprovals).toBe(3);
    expect(o.chain).toEqual({ ok: true, count: 120, reason: null });
  });

  it('carries a broken chain\'s reason', () => {
    expect(buildOverview([], 0, { ok: false, count: 7, reason: 'sequence-gap' }, NOW).chain).toEqual({ ok: false, count: 7, reason: 'sequence-gap' });
  });
});
