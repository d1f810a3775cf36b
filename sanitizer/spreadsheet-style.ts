/**
 * The cell formatting a rebuilt workbook carries, copied field by field from what the
 * spreadsheet library read (never the whole object): number format, font (name, size,
 * bold, italic, underline, strike, colour), pattern fill, borders and alignment.
 * Colours are an ARGB hex string or a theme/indexed number; anything else is dropped.
 */
import type { Alignment, Border, Borders, Color, Fill, Font, Style } from 'exceljs';
import { stripControls } from './text-decoding.js';

const ARGB = /^[0-9A-Fa-f]{8}$/;
const BORDER_STYLES = new Set(['thin', 'dotted', 'hair', 'medium', 'double', 'thick', 'dashed', 'dashDot', 'dashDotDot', 'slantDashDot', 'mediumDashed', 'mediumDashDotDot', 'mediumDashDot']);
const H_ALIGN = new Set(['left', 'center', 'right', 'fill', 'justify', 'centerContinuous', 'distributed']);
const V_ALIGN = new Set(['top', 'middle', 'bottom', 'distributed', 'justify']);
const PATTERNS = new Set(['none', 'solid', 'darkVertical', 'darkHorizontal', 'darkGrid', 'darkTrellis', 'darkDown', 'darkUp', 'lightVertical', 'lightHorizontal', 'lightGrid', 'lightTrellis', 'lightDown', 'lightUp', 'darkGray', 'mediumGray', 'lightGray', 'gray125', 'gray0625']);
const UNDERLINES = new Set([true, 'single', 'double', 'singleAccounting', 'doubleAccounting']);

function int(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

function color(c: Partial<Color> & { indexed?: unknown; tint?: unknown } | undefined): Partial<Color> | undefined {
  if (!c) return undefined;
  if (typeof c.argb === 'string' && ARGB.test(c.argb)) return { argb: c.argb.toUpperCase() };
  const theme = int(c.theme, 0, 11);
  if (theme !== undefined) {
    const tint = typeof c.tint === 'number' && c.tint >= -1 && c.tint <= 1 ? c.tint : undefined;
    return (tint === undefined ? { theme } : { theme, tint }) as Partial<Color>;
  }
  const indexed = int(c.indexed, 0, 81);
  return indexed === undefined ? undefined : ({ indexed } as Partial<Color>);
}

function font(f: Partial<Font> | undefined): Partial<Font> | undefined {
  if (!f) return undefined;
  const out: Partial<Font> = {};
  if (typeof f.name === 'string' && f.name.length <= 64) out.name = stripControls(f.name);
  if (typeof f.size === 'number' && f.size >= 1 && f.size <= 409) out.size = f.size;
  if (f.bold === true) out.bold = true;
  if (f.italic === true) out.italic = true;
  if (f.strike === true) out.strike = true;
  if (UNDERLINES.has(f.underline as never)) out.underline = f.underline!;
  if (f.vertAlign === 'superscript' || f.vertAlign === 'subscript') out.vertAlign = f.vertAlign;
  const c = color(f.color);
  if (c) out.color = c;
  return Object.keys(out).length ? out : undefined;
}

function fill(f: Fill | undefined): Fill | undefined {
  if (!f || f.type !== 'pattern' || !PATTERNS.has(f.pattern)) return undefined;
  const out: Fill = { type: 'pattern', pattern: f.pattern };
  const fg = color(f.fgColor);
  const bg = color(f.bgColor);
  if (fg) out.fgColor = fg;
  if (bg) out.bgColor = bg;
  return out;
}

function border(b: Partial<Border> | undefined): Partial<Border> | undefined {
  if (!b || !BORDER_STYLES.has(b.style as string)) return undefined;
  const c = color(b.color);
  return c ? { style: b.style!, color: c } : { style: b.style! };
}

function borders(b: Partial<Borders> | undefined): Partial<Borders> | undefined {
  if (!b) return undefined;
  const out: Partial<Borders> = {};
  for (const side of ['top', 'left', 'bottom', 'right'] as const) {
    const s = border(b[side]);
    if (s) out[side] = s;
  }
  return Object.keys(out).length ? out : undefined;
}

function alignment(a: Partial<Alignment> | undefined): Partial<Alignment> | undefined {
  if (!a) return undefined;
  const out: Partial<Alignment> = {};
  if (H_ALIGN.has(a.horizontal as string)) out.horizontal = a.horizontal!;
  if (V_ALIGN.has(a.vertical as string)) out.vertical = a.vertical!;
  if (a.wrapText === true) out.wrapText = true;
  if (a.shrinkToFit === true) out.shrinkToFit = true;
  const indent = int(a.indent, 0, 250);
  if (indent) out.indent = indent;
  const rot = a.textRotation === 'vertical' ? 'vertical' : int(a.textRotation, -90, 180);
  if (rot !== undefined && rot !== 0) out.textRotation = rot;
  return Object.keys(out).length ? out : undefined;
}

/** The subset of a cell's style that a rebuilt workbook carries. */
export function copyStyle(s: Partial<Style> | undefined): Partial<Style> {
  const out: Partial<Style> = {};
  if (!s) return out;
  if (typeof s.numFmt === 'string' && s.numFmt.length <= 255) out.numFmt = s.numFmt;
  const parts = { font: font(s.font), fill: fill(s.fill), border: borders(s.border), alignment: alignment(s.alignment) };
  for (const [k, v] of Object.entries(parts)) if (v) (out as Record<string, unknown>)[k] = v;
  return out;
}
