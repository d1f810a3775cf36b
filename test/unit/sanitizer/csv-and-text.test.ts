import { describe, expect, it } from 'vitest';
import { hasFormulaUnderAnySeparator, isFormulaLike, neutralizeCsv, parseCsv } from '../../../sanitizer/csv-neutralizer.js';
import type { ScanMeter } from '../../../sanitizer/csv-neutralizer.js';
import { rebuildCsv, rebuildText } from '../../../sanitizer/text-sanitizer.js';
import { shiftJisCsv } from '../../fixtures/sanitizer/hostile-files.js';

const dec = (b: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);

describe('CSV formula neutralisation', () => {
  it.each(['=1+1', '+A1', '-A1+1', '@SUM(A1)', '\tx', '\rx', '＝1+1'])('neutralises %j', (cell) => {
    expect(isFormulaLike(cell)).toBe(true);
  });

  it.each(['-5', '+1.5', '3e-4', 'abc', '', '山田'])('leaves %j alone', (cell) => {
    expect(isFormulaLike(cell)).toBe(false);
  });

  it('parses quoted cells with commas, quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","d ""q""","e\nf"\r\n1,2,3,4', ',')).toEqual([
      ['a', 'b,c', 'd "q"', 'e\nf'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('prefixes formula cells with an apostrophe and quotes them', () => {
    expect(neutralizeCsv('x,=HYPERLINK("http://evil")\n', ',')).toEqual({ text: `x,"'=HYPERLINK(""http://evil"")"\r\n`, neutralized: 1 });
  });
});

describe('rebuildCsv', () => {
  it('turns a Shift_JIS CSV with =cmd into UTF-8 with BOM and neutralised cells', () => {
    const r = rebuildCsv(shiftJisCsv(), 'csv');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.value.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = dec(r.value.bytes.subarray(3));
    expect(text).toContain('氏名,メモ');
    expect(text).toContain(`山田,"'=cmd|' /C calc'!A0"`);
    expect(text).toContain('佐藤,-5');
    expect(text).toContain(`鈴木,"'@SUM(A1)"`);
    expect(r.value.detail).toContain('shift_jis');
  });
});

/** Every field the rebuilt CSV has for a reader splitting on `sep` (the BOM dropped). */
function fieldsUnder(bytes: Uint8Array, sep: string): string[] {
  return parseCsv(dec(bytes.subarray(3)), sep).flat();
}

describe('CSV separator confusion (issue 9, item 7)', () => {
  // A .csv whose first line has tabs and no commas is laid out with tabs, but Excel opens
  // a .csv with commas (or semicolons): the cells after those must not start a formula.
  const tabFirstLine = 'name\tnote\n';
  it.each([
    ['x\ty,=1+1', '=1+1'],
    ["x\ty,=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
    ["=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
    ['x\ty;=1+1', '=1+1'],
    ['x\ty,"=1+1"', '=1+1'],
    ['-5,1+cmd|A0\tz', "-5,1+cmd|A0"],
  ])('neutralises %j in a tab-looking .csv under comma, semicolon and tab', (line, payload) => {
    const input = new TextEncoder().encode(`${tabFirstLine}${line}\n`);
    expect(hasFormulaUnderAnySeparator(`${tabFirstLine}${line}\n`)).toBe(true); // the attack is real
    for (const ext of ['csv', 'tsv']) {
      const r = rebuildCsv(input, ext);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      for (const sep of [',', ';', '\t']) {
        const fields = fieldsUnder(r.value.bytes, sep);
        expect(fields.filter(isFormulaLike), `${ext} read with ${JSON.stringify(sep)}`).toEqual([]);
      }
      // The payload is still there for the reader, as text.
      expect(dec(r.value.bytes)).toContain(`'${payload.slice(0, 3)}`);
    }
  });

  it('writes a tab-looking .csv with commas (as Excel opens it) and quotes cells that contain a separator', () => {
    const input = new TextEncoder().encode('name\tnote\nx\ty,z;w\n');
    const csv = rebuildCsv(input, 'csv');
    expect(csv.ok && dec(csv.value.bytes.subarray(3))).toBe('name,note\r\nx,"y,z;w"\r\n');
    if (csv.ok) expect(parseCsv(dec(csv.value.bytes.subarray(3)), ',')).toEqual([['name', 'note'], ['x', 'y,z;w']]);
    const tsv = rebuildCsv(input, 'tsv');
    expect(tsv.ok && dec(tsv.value.bytes.subarray(3))).toBe('name\tnote\r\nx\t"y,z;w"\r\n');
  });

  it('keeps signed numbers after the first cell, and a lone one, as numbers', () => {
    const r = rebuildCsv(new TextEncoder().encode('a,b\n山田,-5\n+1.5\n'), 'csv');
    expect(r.ok && dec(r.value.bytes.subarray(3))).toBe('a,b\r\n山田,-5\r\n+1.5\r\n');
  });

  it('leaves no formula for any reader, whatever the mix of separators, quotes and signs', () => {
    // Deterministic pseudo-random inputs from the characters that matter.
    let seed = 9;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = [',', ';', '\t', '\n', '\r', '"', '=', '+', '-', '@', '1', '5', 'a', ' ', '＝', "'"];
    for (let n = 0; n < 20000; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      for (const [sep, readSep] of [[',', ','], [',', '\t'], ['\t', '\t'], ['\t', ',']] as const) {
        const out = neutralizeCsv(text, sep, readSep).text; // throws if a formula survived
        expect(hasFormulaUnderAnySeparator(out), JSON.stringify([text, sep, out])).toBe(false);
      }
    }
  });

  it('a signed number that starts a longer row is neutralised (a semicolon reader sees "-5,1+…")', () => {
    const r = rebuildCsv(new TextEncoder().encode('-5,1+cmd|A0\n'), 'csv');
    expect(r.ok && dec(r.value.bytes.subarray(3))).toBe(`"'-5",1+cmd|A0\r\n`);
  });
});

describe('CSV neutralisation stays linear (security review: quadratic scan on a cell of tabs)', () => {
  /** Character visits of the per-cell scans for a CSV made by `make(n)`. */
  const visits = (make: (n: number) => string): ((n: number) => number) => (n) => {
    const meter: ScanMeter = { visits: 0 };
    neutralizeCsv(make(n), ',', ',', meter);
    return meter.visits;
  };

  it.each([
    ['tabs', (n: number) => `a,b\n${'\t'.repeat(n)}`],
    ['tabs before a formula', (n: number) => `a,b\n${'\t\t\t='.repeat(n)}`],
    ['semicolons and blanks', (n: number) => `a,b\n${'; \u3000'.repeat(n)}`],
    ['quoted line breaks', (n: number) => `a,"${'\r\n'.repeat(n)}"`],
  ])('doubling a cell of %s at most doubles the work', (_name, make) => {
    const count = visits(make);
    const small = count(20_000);
    const large = count(40_000);
    expect(small).toBeGreaterThan(0); // the meter sees the scans
    expect(large).toBeLessThanOrEqual(2 * small + 100);
    expect(large).toBeLessThanOrEqual(4 * make(40_000).length + 100); // a few visits per character
  });

  it('still neutralises after every boundary in a long run of blanks', () => {
    const out = neutralizeCsv(`x,\t\t=cmd\n`, ',').text;
    expect(out).toBe(`x,"'\t'\t'=cmd"\r\n`);
    expect(hasFormulaUnderAnySeparator(out)).toBe(false);
  });
});

describe('rebuildText', () => {
  it('removes control characters and bidi overrides but keeps tabs and line breaks', () => {
    const r = rebuildText(new TextEncoder().encode('a\u0007b\u001bc\td\r\ne\u202Ef'));
    expect(r.ok && dec(r.value.bytes)).toBe('abc\td\r\nef');
  });

  it('decodes UTF-16LE with BOM (Notepad "Unicode")', () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from('診療', 'utf16le')]);
    const r = rebuildText(bytes);
    expect(r.ok && dec(r.value.bytes)).toBe('診療');
  });
});
