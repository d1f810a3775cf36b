/**
 * Weekly time windows evaluated in Asia/Tokyo, whatever the machine's time zone.
 * Japan has had no daylight saving time since 1951, so Tokyo time is UTC+9 all year;
 * a fixed offset avoids depending on the ICU time-zone data of the host.
 */
import type { Schedule, Weekday } from './policy-schema.js';

const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Day of week and minute of day in Asia/Tokyo for an instant. */
export function tokyoTime(now: Date): { day: Weekday; minute: number } {
  const shifted = new Date(now.getTime() + TOKYO_OFFSET_MS);
  return { day: DAYS[shifted.getUTCDay()] as Weekday, minute: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function previousDay(day: Weekday): Weekday {
  return DAYS[(DAYS.indexOf(day) + 6) % 7] as Weekday;
}

/**
 * True when `now` falls inside the window. `from` is inclusive and `to` exclusive. When
 * `from` is later than `to` the window crosses midnight and `days` names the day it starts:
 * `{days: [fri], from: "22:00", to: "06:00"}` covers Friday 22:00 to Saturday 06:00.
 */
export function inSchedule(schedule: Schedule, now: Date): boolean {
  const { day, minute } = tokyoTime(now);
  const from = toMinutes(schedule.from);
  const to = toMinutes(schedule.to);
  if (from < to) return schedule.days.includes(day) && minute >= from && minute < to;
  return (schedule.days.includes(day) && minute >= from) || (schedule.days.includes(previousDay(day)) && minute < to);
}
