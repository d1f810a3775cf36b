import { describe, expect, it } from 'vitest';
import { buildRuns, identityToUnicodeCMap, keepChar, textLayerOperators } from '../../../sanitizer/pdf-text-layer.js';
import type { PageText } from '../../../sanitizer/pdf-text-layer.js';

/** Characters laid out left to right on one baseline, `w` points wide each. */
function line(text: string, x: number, y: number, size: number, w = size): { codes: number[]; boxes: number[] } {
  const codes: number[] = [];
  const boxes: number[] = [];
  [...text].forEach((ch, i) => {
    codes.push(ch.codePointAt(0)!);
    boxes.push(x + i * w, y, x + (i + 1) * w, y + size);
  });
  return { codes, boxes };
}

function page(...lines: { codes: number[]; boxes: number[] }[]): PageText {
  return { codes: Uint32Array.from(lines.flatMap((l) => l.codes)), boxes: Float32Array.from(lines.flatMap((l) => l.boxes)) };
}

const textOf = (runs: ReturnType<typeof buildRuns>): string[] => runs.map((r) => String.fromCharCode(...r.chars.map((c) => c.code)));

describe('invisible text layer', () => {
  it('groups characters into lines by baseline', () => {
    const runs = buildRuns(page(line('診療情報提供書', 50, 700, 20), line('血圧は正常', 50, 670, 12)));
    expect(textOf(runs)).toEqual(['診療情報提供書', '血圧は正常']);
    expect(runs[0]).toMatchObject({ x: 50, y: 700, size: 20 });
  });

  it('drops control, bidirectional override, zero-width, private-use and non-BMP characters', () => {
    for (const c of [0x00, 0x07, 0x0a, 0x1b, 0x7f, 0x200b, 0x200e, 0x202e, 0x2066, 0xfeff, 0xe000, 0xd800, 0x1f600]) expect(keepChar(c), c.toString(16)).toBe(false);
    for (const c of [0x41, 0x3042, 0x6f22, 0xff15, 0x3000, 0x20]) expect(keepChar(c), c.toString(16)).toBe(true);
    const runs = buildRuns(page(line('txt.\u202Eexe\u0007', 10, 10, 10)));
    expect(textOf(runs)).toEqual(['txt.exe']);
  });

  it('writes text in render mode 3 with Unicode code points as 2-byte codes and stretches each glyph to its box', () => {
    const ops = textLayerOperators(buildRuns(page(line('AB', 100, 200, 10, 5), line('日本', 100, 100, 10))));
    expect(ops.startsWith('BT\n3 Tr\n')).toBe(true);
    expect(ops).toContain('<00410042>');
    expect(ops).toContain('<65E5672C>');
    expect(ops).toContain('50 Tz'); // 5 pt advance at 10 pt: half the 1-em glyph
    expect(ops).toContain('100 Tz');
    expect(ops).toContain('1 0 0 1 100 202 Tm'); // baseline 0.2 em above the box bottom
    expect(ops.trim().endsWith('ET')).toBe(true);
    expect(textLayerOperators([])).toBe('');
  });

  it('moves a glyph to its place when there is a gap', () => {
    const gap = page({ codes: [0x61, 0x62], boxes: [0, 0, 10, 10, 30, 0, 40, 10] });
    // a's advance reaches b (30 pt: Tz 300); no correction needed then.
    expect(textLayerOperators(buildRuns(gap))).toContain('300 Tz');
  });

  it('maps every BMP code but the surrogates to itself in the ToUnicode CMap', () => {
    const cmap = identityToUnicodeCMap();
    expect(cmap).toContain('<3000> <30FF> <3000>');
    expect(cmap).not.toContain('<D800>');
    expect(cmap.match(/beginbfrange/g)).toHaveLength(3);
  });
});
