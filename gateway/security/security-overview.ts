/**
 * The security console's overview: blocked downloads today (Japan time) and over the
 * last 7 days, per day, the sites and file types blocked most, pending approvals and
 * the audit chain's state. Pure over the rows it is given, so it is unit-tested.
 */
import type { BlockedRow } from './quarantine-search.js';

const JST_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

export interface Overview {
  /** ISO instant the counts were taken. */
  generatedAt: string;
  blockedToday: number;
  blockedWeek: number;
  /** Seven Japan-time days, oldest first: `{ day: '2026-12-02', count }`. */
  perDay: Array<{ day: string; count: number }>;
  topSites: Array<{ name: string; count: number }>;
  topTypes: Array<{ name: string; count: number }>;
  pendingApprovals: number;
  chain: { ok: boolean; count: number; reason: string | null };
}

/** Start of the Japan-time day holding `now`, as a UTC instant. */
export function startOfJstDay(now: Date): Date {
  return new Date(Math.floor((now.getTime() + JST_MS) / DAY_MS) * DAY_MS - JST_MS);
}

/** The first instant the overview's week covers: the start of the Japan-time day six days back. */
export function weekStart(now: Date): Date {
  return new Date(startOfJstDay(now).getTime() - 6 * DAY_MS);
}

function jstDay(iso: string): string {
  return new Date(new Date(iso).getTime() + JST_MS).toISOString().slice(0, 10);
}

function hostOf(url: string | null): string {
  if (!url) return '—';
  try {
    return new URL(url).hostname || '—';
  } catch {
    return '—';
  }
}

function top(values: string[], n: number): Array<{ name: string; count: number }> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).slice(0, n);
}

export function buildOverview(
  rows: readonly BlockedRow[],
  pendingApprovals: number,
  chain: { ok: boolean; count: number; reason?: string | null },
  now: Date,
): Overview {
  const today = startOfJstDay(now).getTime();
  const week = weekStart(now).getTime();
  const inWeek = rows.filter((r) => {
    const t = new Date(r.createdAt).getTime();
    return t >= week && t <= now.getTime();
  });
  const perDay = Array.from({ length: 7 }, (_, i) => ({ day: jstDay(new Date(week + i * DAY_MS).toISOString()), count: 0 }));
  for (const r of inWeek) {
    const slot = perDay.find((d) => d.day === jstDay(r.createdAt));
    if (slot) slot.count += 1;
  }
  return {
    generatedAt: now.toISOString(),
    blockedToday: inWeek.filter((r) => new Date(r.createdAt).getTime() >= today).length,
    blockedWeek: inWeek.length,
    perDay,
    topSites: top(inWeek.map((r) => hostOf(r.sourceUrl)), 5),
    topTypes: top(inWeek.map((r) => r.trueType ?? '—'), 5),
    pendingApprovals,
    chain: { ok: chain.ok, count: chain.count, reason: chain.ok ? null : (chain.reason ?? null) },
  };
}
