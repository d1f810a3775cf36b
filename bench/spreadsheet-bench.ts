/**
 * Spreadsheet rebuild throughput (issue 14): .xlsx files rebuilt as new .xlsx through
 * the whole `sanitize()` pipeline (true type, limits, clamd INSTREAM, the exceljs
 * rebuild in its fresh worker thread, re-check and re-scan). Two workbooks: a one-page
 * Japanese form (about 150 cells, styles, merged cells, formulas) and a 20,000-cell
 * list (2,000 rows × 10 columns). Needs a private clamd, like the sanitizer bench.
 *
 * The sanitizer is loaded from dist/ (`npm run bench` builds first): from the .ts
 * sources every worker thread would first have to load tsx, which is not what runs in
 * production and costs about half a second per file.
 */
import ExcelJS from 'exceljs';
import type * as SanitizerModule from '../sanitizer/index.js';
import type { SanitizerDeps } from '../sanitizer/index.js';
import { startPrivateClamd } from '../test/integration/sanitizer/private-clamd.js';

export interface SpreadsheetBenchResult {
  skipped?: string;
  formCells?: number;
  formPerSec?: number;
  listCells?: number;
  listPerSec?: number;
  listOutputKiB?: number;
}

async function form(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('診療情報提供書');
  ws.mergeCells('A1:F1');
  ws.getCell('A1').value = '診療情報提供書（様式第11号）';
  ws.getCell('A1').font = { bold: true, size: 16 };
  for (let r = 3; r <= 27; r++) {
    ws.getCell(r, 1).value = `項目${r - 2}：投薬内容`;
    ws.getCell(r, 2).value = 1000 + r * 12.5;
    ws.getCell(r, 2).numFmt = '#,##0.0"mg"';
    ws.getCell(r, 3).value = new Date(Date.UTC(2026, 11, r));
    ws.getCell(r, 3).numFmt = 'yyyy"年"m"月"d"日"';
    ws.getCell(r, 4).value = { formula: `B${r}*2`, result: (1000 + r * 12.5) * 2 };
    ws.getCell(r, 5).value = '1日3回 毎食後';
    ws.getCell(r, 6).border = { bottom: { style: 'thin' } };
  }
  ws.getColumn(1).width = 28;
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

async function list(rows: number): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('検査結果');
  for (let r = 1; r <= rows; r++) {
    ws.addRow([`患者${r}`, `0${100000 + r}`, r * 1.5, '血液検査', '基準値内', r % 7, r % 11, `備考 ${r}`, new Date(Date.UTC(2026, 0, 1 + (r % 300))), r]);
  }
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

type Sanitizer = typeof SanitizerModule;
// A variable specifier keeps tsc from resolving dist/ (absent before the first build).
const DIST = '../dist/sanitizer/index.js';

async function perSecond({ parseFilePolicy, sanitize }: Sanitizer, deps: SanitizerDeps, name: string, bytes: Uint8Array, n: number): Promise<{ perSec: number; outBytes: number } | string> {
  const policy = parseFilePolicy({});
  const warm = await sanitize({ name, bytes }, policy, deps);
  if (warm.verdict !== 'sanitized' || warm.output.trueType !== 'xlsx') return `${name}: ${warm.verdict === 'blocked' ? warm.reason : warm.output.trueType}`;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = await sanitize({ name, bytes }, policy, deps);
    if (v.verdict !== 'sanitized') return `${name}: ${v.reason}`;
  }
  return { perSec: n / ((performance.now() - t0) / 1000), outBytes: warm.output.bytes.length };
}

export async function spreadsheetBench(): Promise<SpreadsheetBenchResult> {
  const lib = (await import(DIST)) as Sanitizer;
  let clamd;
  try {
    clamd = await startPrivateClamd();
  } catch (err) {
    return { skipped: `private clamd could not start: ${(err as Error).message}` };
  }
  try {
    const deps: SanitizerDeps = { scanner: new lib.ClamdScanner({ address: clamd.socket, timeoutMs: 120_000 }), rasterizer: new lib.PopplerRasterizer(), officeConverter: null };
    const f = await perSecond(lib, deps, '提供書.xlsx', await form(), 10);
    if (typeof f === 'string') return { skipped: f };
    const l = await perSecond(lib, deps, '検査結果.xlsx', await list(2000), 3);
    if (typeof l === 'string') return { skipped: l };
    return { formCells: 25 * 6 + 1, formPerSec: f.perSec, listCells: 20_000, listPerSec: l.perSec, listOutputKiB: l.outBytes / 1024 };
  } finally {
    await clamd.stop();
  }
}
