import type { Style } from 'exceljs';
import { describe, expect, it } from 'vitest';
import { copyStyle } from '../../../sanitizer/spreadsheet-style.js';

describe('the formatting a rebuilt workbook carries', () => {
  it('keeps number format, font, pattern fill, borders and alignment', () => {
    const style: Partial<Style> = {
      numFmt: '#,##0"円"',
      font: { name: 'ＭＳ Ｐゴシック', size: 11, bold: true, italic: true, underline: 'double', color: { argb: 'ff112233' } },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { theme: 4 } },
      border: { top: { style: 'thin', color: { argb: 'FF000000' } }, diagonal: { style: 'thick', up: true } },
      alignment: { horizontal: 'center', vertical: 'middle', wrapText: true, textRotation: 'vertical' },
    };
    expect(copyStyle(style)).toEqual({
      numFmt: '#,##0"円"',
      font: { name: 'ＭＳ Ｐゴシック', size: 11, bold: true, italic: true, underline: 'double', color: { argb: 'FF112233' } },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { theme: 4 } },
      border: { top: { style: 'thin', color: { argb: 'FF000000' } } },
      alignment: { horizontal: 'center', vertical: 'middle', wrapText: true, textRotation: 'vertical' },
    });
  });

  it('drops what it cannot vouch for: gradients, odd colours, unknown values, control characters, extra keys', () => {
    const hostile = {
      numFmt: 'x'.repeat(300),
      font: { name: 'A\u0000B\u202e', size: 5000, color: { argb: 'javascript:' }, bold: 'yes' },
      fill: { type: 'gradient', gradient: 'angle', degree: 0, stops: [] },
      border: { left: { style: 'evil' } },
      alignment: { horizontal: 'sideways', indent: -3 },
      protection: { locked: false, hidden: true },
      extra: { anything: 1 },
    } as unknown as Partial<Style>;
    expect(copyStyle(hostile)).toEqual({ font: { name: 'AB' } });
    expect(copyStyle(undefined)).toEqual({});
  });
});
