/**
 * Which scheduled backups to keep (docs/operations.md, "Scheduled backups"): the newest
 * archive of each of the last `keepDaily` days that have one, and the newest of each of
 * the last `keepWeekly` ISO weeks that have one (like restic's --keep-daily and
 * --keep-weekly). Days and weeks are Japan time. Only names this module makes,
 * `kekkai-YYYYMMDDTHHMMSSZ.backup[.age]`, are ever considered, so nothing else in the
 * directory is touched. Pure: no file system here.
 */

const NAME_RE = /^kekkai-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.backup(\.age)?$/;
const JST_OFFSET_MS = 9 * 3600_000;

/** `kekkai-20261202T041500Z.backup` (+ `.age` when encrypted), from the time it was taken. */
export function scheduledBackupName(at: Date, encrypted: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `kekkai-${stamp}.backup${encrypted ? '.age' : ''}`;
}

/** The time a scheduled backup was taken, from its name; null for any other name. */
export function scheduledBackupTime(name: string): Date | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  // Date.UTC rolls month 13 or hour 25 over: only a name this module could have made counts.
  return scheduledBackupName(at, m[7] !== undefined) === name ? at : null;
}

/** Japan-time calendar day, `2026-12-02`. */
function dayKey(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Japan-time ISO week, `2026-W49`. */
function weekKey(at: Date): string {
  const local = new Date(at.getTime() + JST_OFFSET_MS);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of this week decides the ISO year and week number.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface RotationPlan {
  keep: string[];
  remove: string[];
}

/** Splits the scheduled backups among `names` into those kept and those to remove; other names are in neither. */
export function planRotation(names: readonly string[], keepDaily: number, keepWeekly: number): RotationPlan {
  const dated = names
    .map((name) => ({ name, at: scheduledBackupTime(name) }))
    .filter((b): b is { name: string; at: Date } => b.at !== null)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.name.localeCompare(a.name));
  const keep = new Set<string>();
  const pick = (count: number, key: (at: Date) => string): void => {
    const seen = new Set<string>();
    for (const b of dated) {
      const k = key(b.at);
      if (seen.has(k)) continue;
      if (seen.size >= count) break;
      seen.add(k);
      keep.add(b.name);
    }
  };
  pick(keepDaily, dayKey);
  pick(keepWeekly, weekKey);
  return { keep: dated.filter((b) => keep.has(b.name)).map((b) => b.name), remove: dated.filter((b) => !keep.has(b.name)).map((b) => b.name) };
}
