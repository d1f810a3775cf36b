/**
 * Times as the hospital reads them: Japan time, `2026/12/02 09:14` (no seconds in lists,
 * with seconds where the order of events matters). Exports keep ISO 8601 (server side).
 * Pure: no DOM, so it is unit-tested directly.
 */
const JST_OFFSET_MS = 9 * 3600_000;

function parts(value: string | number | Date): number[] | null {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  // Japan has no daylight saving time: a fixed +09:00 is exact and needs no Intl data.
  const j = new Date(d.getTime() + JST_OFFSET_MS);
  return [j.getUTCFullYear(), j.getUTCMonth() + 1, j.getUTCDate(), j.getUTCHours(), j.getUTCMinutes(), j.getUTCSeconds()];
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `2026/12/02 09:14` in Japan time; '' for nothing, the input itself when it is not a time. */
export function formatJst(value: string | number | Date | null | undefined, withSeconds = false): string {
  if (value === null || value === undefined || value === '') return '';
  const p = parts(value);
  if (!p) return String(value);
  const [y, mo, d, h, mi, s] = p as [number, number, number, number, number, number];
  return `${y}/${two(mo)}/${two(d)} ${two(h)}:${two(mi)}${withSeconds ? `:${two(s)}` : ''}`;
}

/** `2026/12/02` in Japan time (a date-only value such as an account's expiry stays as it is). */
export function formatJstDate(value: string | null | undefined): string {
  if (!value) return '';
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dateOnly) return `${dateOnly[1]}/${dateOnly[2]}/${dateOnly[3]}`;
  return formatJst(value).slice(0, 10);
}

/** The Japan-time calendar day of a time, `2026-12-02`, e.g. to group counts per day. */
export function jstDay(value: string | number | Date): string {
  const p = parts(value);
  if (!p) return '';
  return `${p[0]}-${two(p[1]!)}-${two(p[2]!)}`;
}
