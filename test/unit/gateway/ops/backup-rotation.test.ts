import { describe, expect, it } from 'vitest';
import { planRotation, scheduledBackupName, scheduledBackupTime } from '../../../../gateway/ops/backup-rotation.js';

/** One backup a day at 02:30 JST (17:30 UTC the day before) for `days` days ending on `last` (JST date). */
function daily(last: string, days: number, encrypted = true): string[] {
  const end = Date.parse(`${last}T02:30:00+09:00`);
  return Array.from({ length: days }, (_, i) => scheduledBackupName(new Date(end - i * 86_400_000), encrypted));
}

describe('scheduled backup names', () => {
  it('carry the UTC time they were taken, and only they are recognised', () => {
    const at = new Date('2026-12-01T17:30:05.123Z');
    expect(scheduledBackupName(at, true)).toBe('kekkai-20261201T173005Z.backup.age');
    expect(scheduledBackupName(at, false)).toBe('kekkai-20261201T173005Z.backup');
    expect(scheduledBackupTime('kekkai-20261201T173005Z.backup.age')?.toISOString()).toBe('2026-12-01T17:30:05.000Z');
    for (const other of ['kekkai-20261201T173005Z.backup.partial', 'notes.txt', 'kekkai-2026.backup', 'kekkai-20261301T173005Z.backup', '.kekkai-staging-x']) {
      expect(scheduledBackupTime(other)).toBeNull();
    }
  });
});

describe('rotation: keep N daily and M weekly', () => {
  it('keeps the last 7 days and the newest of each of the 4 last weeks out of 60 days of backups', () => {
    const names = daily('2026-12-02', 60);
    const plan = planRotation([...names, 'README.txt'], 7, 4);
    // 2026-12-02 is a Wednesday: days 11-26 … 12-02 are the dailies.
    const kept = plan.keep.map((n) => scheduledBackupTime(n)!);
    const jst = (d: Date): string => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
    expect(kept.map(jst)).toEqual(['2026-12-02', '2026-12-01', '2026-11-30', '2026-11-29', '2026-11-28', '2026-11-27', '2026-11-26', '2026-11-22', '2026-11-15']);
    // Weeks: this week (kept by 12-02), 11-23…29 (by 11-29), 11-16…22 (11-22), 11-09…15 (11-15).
    expect(plan.keep.length + plan.remove.length).toBe(60);
    expect(plan.remove).not.toContain('README.txt');
    expect(plan.keep).not.toContain('README.txt');
  });

  it('keeps only the newest backup of a day when several were taken', () => {
    const morning = scheduledBackupName(new Date('2026-12-01T17:30:00Z'), true);
    const noon = scheduledBackupName(new Date('2026-12-02T03:00:00Z'), true);
    const yesterday = scheduledBackupName(new Date('2026-11-30T17:30:00Z'), true);
    expect(planRotation([morning, noon, yesterday], 1, 0)).toEqual({ keep: [noon], remove: [morning, yesterday] });
  });

  it('counts days that have a backup, not calendar days: a week-long gap loses nothing', () => {
    const before = daily('2026-11-20', 3);
    const after = daily('2026-12-02', 2);
    expect(planRotation([...before, ...after], 5, 0).keep).toEqual([...after, ...before]);
  });

  it('uses Japan time for the day: 23:59 and 00:01 JST are two days', () => {
    const late = scheduledBackupName(new Date('2026-12-01T14:59:00Z'), false);
    const early = scheduledBackupName(new Date('2026-12-01T15:01:00Z'), false);
    expect(planRotation([late, early], 2, 0).keep).toEqual([early, late]);
    expect(planRotation([late, early], 1, 0).keep).toEqual([early]);
  });
});
