/**
 * Rebuild a workbook as a new .xlsx written by exceljs (MIT): the visible sheets'
 * names, cell values, number formats, basic styles (spreadsheet-style.ts), merged
 * cells, column widths and row heights — nothing else. Formulas become their cached
 * values (or empty cells, by policy); hyperlinks become their text; hidden and very
 * hidden sheets are left out with their data. A text cell that a spreadsheet would
 * take as a formula once edited or exported (`=…`, `+…`, `@…`, full-width forms, a
 * leading tab or CR; csv-neutralizer.ts) gets a leading apostrophe.
 *
 * Runs inside the spreadsheet worker (spreadsheet-worker.ts) on a package already
 * bounded by spreadsheet-package.ts.
 */
import { createRequire } from 'node:module';
import type { Cell, CellValue, Row, Workbook, Worksheet } from 'exceljs';
import { guessSeparator, isFormulaLike, parseCsv } from './csv-neutralizer.js';
import type { InspectedPackage, RemovedItems, SpreadsheetLimits } from './spreadsheet-package.js';
import { copyStyle } from './spreadsheet-style.js';
import { decodeText, stripControls } from './text-decoding.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';
import { packZip } from './zip-sanitizer.js';

// The workbook class alone: all of exceljs (CSV, streaming) takes 0.3 s to load in every
// fresh worker, the class 0.12 s.
const WorkbookClass = createRequire(import.meta.url)('exceljs/lib/doc/workbook.js') as new () => Workbook;

/** What to do with formula cells: keep their cached values, or leave the cells empty. */
export type FormulaHandling = 'values' | 'drop';

/** What the rebuild did, for the verdict's changes and the audit detail. */
export interface SpreadsheetReport {
  /** Names of the sheets carried over, in order. */
  sheets: string[];
  cells: number;
  removed: RemovedItems & { hiddenSheets: number; ddeFormulas: number };
  /** Formula cells replaced by their cached value (`values`) or emptied (`drop`). */
  formulas: number;
  /** Text cells given a leading apostrophe. */
  neutralised: number;
  /** Text encoding of a CSV input. */
  encoding?: string;
}

/** A rebuilt workbook. */
export interface RebuiltSpreadsheet {
  bytes: Uint8Array;
  report: SpreadsheetReport;
}

// Nodes exceljs need not read: their content is not carried and some point at parts we dropped.
const IGNORED_NODES = ['hyperlinks', 'dataValidations', 'conditionalFormatting', 'drawing', 'legacyDrawing', 'legacyDrawingHF', 'picture', 'oleObjects', 'controls', 'tableParts', 'extLst', 'headerFooter', 'printOptions', 'pageMargins', 'pageSetup', 'rowBreaks', 'colBreaks', 'autoFilter', 'sheetProtection'];
// A formula that names another program (`=cmd|' /c calc'!A0`) is a DDE call.
const DDE_FORMULA = /(?:^|[^"'])[A-Za-z0-9_.-]+\|/;
const FIXED_DATE = new Date(Date.UTC(1980, 0, 1));

function blankReport(removed: RemovedItems): SpreadsheetReport {
  return { sheets: [], cells: 0, removed: { ...removed, hiddenSheets: 0, ddeFormulas: 0 }, formulas: 0, neutralised: 0 };
}

function safeText(s: string, report: SpreadsheetReport): string {
  const clean = stripControls(s);
  if (!isFormulaLike(clean)) return clean;
  report.neutralised++;
  return `'${clean}`;
}

type Plain = Exclude<CellValue, object> | Date | { error: string };

/**
 * A cell's value as plain data: text, number, boolean, date or error. `result` is the
 * formula's cached value as the cell reports it (exceljs's `value` loses a result of 0,
 * false or '').
 */
function plainValue(v: CellValue, formulas: FormulaHandling, report: SpreadsheetReport, result?: unknown): Plain | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return safeText(v, report);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean' || v instanceof Date) return v;
  if ('formula' in v || 'sharedFormula' in v) {
    report.formulas++;
    const f = 'formula' in v && typeof v.formula === 'string' ? v.formula : '';
    if (DDE_FORMULA.test(f)) report.removed.ddeFormulas++;
    return formulas === 'drop' ? undefined : plainValue((result ?? v.result ?? null) as CellValue, 'values', report);
  }
  if ('richText' in v && Array.isArray(v.richText)) return safeText(v.richText.map((r) => String(r.text ?? '')).join(''), report);
  if ('hyperlink' in v) return safeText(String(v.text ?? ''), report);
  if ('error' in v && typeof v.error === 'string' && /^#[A-Z0-9/!?]{1,8}$/.test(v.error)) return { error: v.error };
  return undefined;
}

function sheetName(raw: string, taken: Set<string>): string {
  const base = stripControls(raw).replace(/[\\/*?:[\]]/g, '_').replace(/^'+|'+$/g, '').slice(0, 31) || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 27)} (${i})`;
  taken.add(name.toLowerCase());
  return name;
}

function merges(ws: Worksheet): string[] {
  const internal = (ws as unknown as { _merges?: Record<string, { range?: unknown }> })._merges ?? {};
  return Object.values(internal).map((m) => m.range).filter((r): r is string => typeof r === 'string' && /^[A-Z]{1,3}\d+:[A-Z]{1,3}\d+$/.test(r));
}

// exceljs's eachRow/eachCell skip rows and cells without a value, and with them the
// borders and fills of a form's empty boxes; its sparse arrays hold every parsed one.
interface SparseRow {
  _cells?: (Cell | undefined)[];
}
function parsedRows(ws: Worksheet): Row[] {
  return ((ws as unknown as { _rows?: (Row | undefined)[] })._rows ?? []).filter((r): r is Row => r !== undefined);
}
function parsedCells(row: Row): Cell[] {
  return ((row as unknown as SparseRow)._cells ?? []).filter((c): c is Cell => c !== undefined);
}

function copySheet(src: Worksheet, dst: Worksheet, formulas: FormulaHandling, limits: SpreadsheetLimits, report: SpreadsheetReport): void {
  const columns = Math.min(src.columnCount, limits.maxColumns);
  for (let c = 1; c <= columns; c++) {
    const w = src.getColumn(c).width;
    if (typeof w === 'number' && w > 0 && w <= 255) dst.getColumn(c).width = w;
  }
  for (const row of parsedRows(src)) {
    const out = dst.getRow(row.number);
    if (typeof row.height === 'number' && row.height > 0 && row.height <= 409) out.height = row.height;
    for (const cell of parsedCells(row)) {
      if (++report.cells > limits.maxCells) throw new CellLimit();
      const target = out.getCell(cell.col);
      target.style = copyStyle(cell.style);
      if (cell.isMerged && cell.master !== cell) continue;
      const v = plainValue(cell.value, formulas, report, cell.result);
      if (v !== undefined) target.value = v as CellValue;
    }
  }
  for (const range of merges(src)) dst.mergeCellsWithoutStyle(range);
}

class CellLimit extends Error {}

function newWorkbook(): Workbook {
  const wb = new WorkbookClass();
  wb.creator = 'kekkai';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  return wb;
}

async function write(wb: Workbook, report: SpreadsheetReport): Promise<Outcome<RebuiltSpreadsheet>> {
  const buf = await wb.xlsx.writeBuffer();
  return pass({ bytes: new Uint8Array(buf as ArrayBuffer), report });
}

/** Rebuild an inspected .xlsx/.xlsm package (see spreadsheet-package.ts). */
export async function rebuildWorkbook(pkg: InspectedPackage, formulas: FormulaHandling, limits: SpreadsheetLimits): Promise<Outcome<RebuiltSpreadsheet>> {
  const report = blankReport(pkg.removed);
  const repacked = await packZip([...pkg.parts].map(([name, bytes]) => ({ name, bytes })));
  const src = new WorkbookClass();
  try {
    await src.xlsx.load(Buffer.from(repacked) as unknown as Parameters<typeof src.xlsx.load>[0], { ignoreNodes: IGNORED_NODES });
  } catch (err) {
    return refuse('malformed', `xlsx: cannot be read: ${(err as Error).message.slice(0, 200)}`);
  }
  const dst = newWorkbook();
  const taken = new Set<string>();
  try {
    for (const ws of src.worksheets) {
      if (ws.state !== 'visible') {
        report.removed.hiddenSheets++;
        continue;
      }
      const name = sheetName(ws.name, taken);
      copySheet(ws, dst.addWorksheet(name), formulas, limits, report);
      report.sheets.push(name);
    }
  } catch (err) {
    if (err instanceof CellLimit) return refuse('spreadsheet-too-large', `xlsx: more than ${limits.maxCells} cells`);
    throw err;
  }
  if (report.sheets.length === 0) return refuse('malformed', `xlsx: no visible sheet (${report.removed.hiddenSheets} hidden)`);
  return write(dst, report);
}

// Plain decimal numbers become numbers; leading zeros (patient and order numbers), dates and codes stay text.
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/;

/** A CSV/TSV (UTF-8, Shift_JIS or UTF-16) as a one-sheet .xlsx of text and numbers. */
export async function csvToWorkbook(bytes: Uint8Array, ext: string, limits: SpreadsheetLimits): Promise<Outcome<RebuiltSpreadsheet>> {
  const decoded = decodeText(bytes);
  if (!decoded) return refuse('malformed', 'csv: not decodable as UTF-8, Shift_JIS or UTF-16');
  const text = stripControls(decoded.text.replace(/^\uFEFF/, ''));
  const rows = parseCsv(text, guessSeparator(text, ext));
  const report = { ...blankReport({ macros: 0, externalLinks: 0, ddeLinks: 0, oleObjects: 0, activeX: 0, drawings: 0, comments: 0, hyperlinks: 0 }), encoding: decoded.encoding };
  if (rows.length > limits.maxRows) return refuse('spreadsheet-too-large', `csv: ${rows.length} rows > ${limits.maxRows}`);
  const widest = rows.reduce((m, r) => Math.max(m, r.length), 0);
  if (widest > limits.maxColumns) return refuse('spreadsheet-too-large', `csv: ${widest} columns > ${limits.maxColumns}`);
  const cells = rows.reduce((n, r) => n + r.length, 0);
  if (cells > limits.maxCells) return refuse('spreadsheet-too-large', `csv: ${cells} cells > ${limits.maxCells}`);
  const wb = newWorkbook();
  const ws = wb.addWorksheet('Sheet1');
  rows.forEach((row, r) => {
    const out = ws.getRow(r + 1);
    row.forEach((cell, c) => {
      if (cell === '') return;
      out.getCell(c + 1).value = PLAIN_NUMBER.test(cell) ? Number(cell) : safeText(cell, report);
    });
  });
  report.sheets.push('Sheet1');
  report.cells = cells;
  return write(wb, report);
}
