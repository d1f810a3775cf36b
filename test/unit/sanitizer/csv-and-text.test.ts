import { describe, expect, it } from 'vitest';
import { isFormulaLike, neutralizeCsv, parseCsv } from '../../../sanitizer/csv-neutralizer.js';
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
