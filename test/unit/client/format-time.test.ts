/** Console times in Japan time, `2026/12/02 09:14`, whatever the machine's time zone. */
import { describe, expect, it } from 'vitest';
import { formatJst, formatJstDate, jstDay } from '../../../client/format-time.js';

describe('formatJst', () => {
  it('shows a UTC instant in Japan time without seconds', () => {
    expect(formatJst('2026-12-02T00:14:05.332Z')).toBe('2026/12/02 09:14');
  });

  it('crosses the date line into the next Japanese day', () => {
    expect(formatJst('2026-12-31T15:30:00Z')).toBe('2027/01/01 00:30');
  });

  it('reads an instant written with an offset', () => {
    expect(formatJst('2026-11-27T13:05:00.123+09:00')).toBe('2026/11/27 13:05');
  });

  it('adds seconds when asked', () => {
    expect(formatJst('2026-12-02T00:14:05.332Z', true)).toBe('2026/12/02 09:14:05');
  });

  it('takes Date objects and epoch milliseconds', () => {
    expect(formatJst(new Date(Date.UTC(2026, 0, 5, 3, 7)))).toBe('2026/01/05 12:07');
    expect(formatJst(Date.UTC(2026, 0, 5, 3, 7))).toBe('2026/01/05 12:07');
  });

  it('shows nothing for no time and the text itself for something that is not a time', () => {
    expect(formatJst(null)).toBe('');
    expect(formatJst(undefined)).toBe('');
    expect(formatJst('')).toBe('');
    expect(formatJst('never')).toBe('never');
  });
});

describe('formatJstDate and jstDay', () => {
  it('writes a date-only value with slashes, unchanged by time zones', () => {
    expect(formatJstDate('2027-03-31')).toBe('2027/03/31');
    expect(formatJstDate(null)).toBe('');
  });

  it('gives the Japan-time day of an instant', () => {
    expect(formatJstDate('2026-12-01T16:00:00Z')).toBe('2026/12/02');
    expect(jstDay('2026-12-01T14:59:59Z')).toBe('2026-12-01');
    expect(jstDay('2026-12-01T15:00:00Z')).toBe('2026-12-02');
  });
});
