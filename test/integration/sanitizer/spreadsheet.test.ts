import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import type { FilePolicyInput } from '../../../sanitizer/file-policy.js';
import { LibreOfficeConverter, findLibreOffice } from '../../../sanitizer/office-converter.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import type { SanitizedVerdict, Verdict } from '../../../sanitizer/verdict.js';
import { detectTrueType } from '../../../sanitizer/true-type.js';
import { zipOf } from '../../fixtures/sanitizer/hostile-files.js';
import { formWorkbook, hostileWorkbook, partText, partsOf, sheetXmlWithCells, workbookWithSheetXml } from '../../fixtures/sanitizer/workbooks.js';
import { fakeDeps } from '../../unit/sanitizer/fakes.js';
import { withTmp } from './render-helpers.js';

const soffice = await findLibreOffice();
const deps = fakeDeps(undefined, soffice ? new LibreOfficeConverter(soffice) : null);
/** The macro-laden fixture is allowed through only as a rebuild (default: blocked). */
const LET_MACROS_REBUILD: FilePolicyInput = { macroOffice: 'convert-to-pdf' };

function sanitized(v: Verdict): SanitizedVerdict {
  if (v.verdict !== 'sanitized') throw new Error(`blocked: ${v.reason}: ${v.detail}`);
  return v;
}

async function readBack(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as Parameters<typeof wb.xlsx.load>[0]);
  return wb;
}

/** Every non-empty, non-merged-slave cell of a sheet as address → value. */
function cellsOf(ws: ExcelJS.Worksheet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  ws.eachRow({ includeEmpty: false }, (row) =>
    row.eachCell({ includeEmpty: false }, (cell) => {
      if (cell.isMerged && cell.master !== cell) return;
      out[cell.address] = cell.value;
    }),
  );
  return out;
}

const FORM_VALUES = {
  A1: '患者氏名',
  B1: '山田 太郎',
  A2: '投与量',
  B2: 1234.5,
  A3: '受付日',
  B3: new Date(Date.UTC(2026, 11, 2)),
  A4: '合計',
  B4: 2469,
  A5: '厚労省の様式',
  A6: 0,
  A7: `'=HYPERLINK("http://evil.example","開く")`,
  A8: "'－1+1",
  A9: '-12.5',
  B9: -12.5,
  C1: '記入例（結合セル）',
};

describe('spreadsheets rebuilt as editable .xlsx', () => {
  it('rebuilds a macro workbook with external links, DDE, a hidden sheet and a hyperlink as a clean .xlsx with the visible values intact', async () => {
    const input = await hostileWorkbook();
    expect((await detectTrueType(input)).type).toBe('xlsm');
    const v = sanitized(await sanitize({ name: '届出様式.xlsm', bytes: input }, parseFilePolicy(LET_MACROS_REBUILD), deps));
    expect(v.output).toMatchObject({ name: '届出様式.xlsx', trueType: 'xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect((await detectTrueType(v.output.bytes)).type).toBe('xlsx');

    const names = [...partsOf(v.output.bytes).keys()];
    expect(names.filter((n) => /vbaProject|externalLink|embeddings|comments|drawings/i.test(n))).toEqual([]);
    const allXml = names.map((n) => partText(v.output.bytes, n) ?? '').join('\n');
    expect(allXml).not.toMatch(/macroEnabled|vbaProject|<f>|<f |<hyperlink\b|relationships\/hyperlink|TargetMode="External"|externalReference|ddeLink|oleObject|秘密のデータ|very hidden data|非公開|mhlw\.example/i);

    const back = await readBack(v.output.bytes);
    expect(back.worksheets.map((w) => w.name)).toEqual(['届出様式', '集計']);
    expect(back.worksheets.every((w) => w.state === 'visible')).toBe(true);
    const form = back.getWorksheet('届出様式')!;
    expect(cellsOf(form)).toEqual(FORM_VALUES);
    expect(cellsOf(back.getWorksheet('集計')!)).toEqual({ A1: 1235.5, A2: '太字と普通' });

    // Formats and layout carried over.
    expect(form.getCell('B2').numFmt).toBe('#,##0.00"mg"');
    expect(form.getCell('B3').numFmt).toBe('yyyy"年"m"月"d"日"');
    expect(form.getCell('A1').font).toMatchObject({ bold: true, italic: true, color: { argb: 'FFC00000' } });
    expect(form.getCell('A1').fill).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } });
    expect(form.getCell('A1').border.bottom).toMatchObject({ style: 'double', color: { argb: 'FF0000FF' } });
    expect(form.getCell('A1').alignment).toMatchObject({ horizontal: 'center', vertical: 'middle', wrapText: true });
    expect(form.getCell('B6').value).toBeNull();
    expect(form.getCell('B6').border).toMatchObject({ top: { style: 'thin' }, bottom: { style: 'thin' } }); // an empty box of the form
    expect(form.getCell('D2').isMerged && form.getCell('D2').master.address).toBe('C1');
    expect(form.getColumn(1).width).toBe(24);
    expect(form.getRow(1).height).toBe(36);

    expect(v.changes).toEqual([
      { kind: 'spreadsheet-rebuilt', from: 'xlsm', sheets: 2 },
      { kind: 'macros-removed' },
      { kind: 'hidden-sheets-removed', count: 2 },
      { kind: 'links-removed', count: 3 },
      { kind: 'formulas-replaced', count: 3, by: 'values' },
      { kind: 'hyperlinks-removed', count: 1 },
      { kind: 'objects-removed', count: 2 },
      { kind: 'formulas-neutralised', count: 2 },
    ]);
    expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toMatch(/xlsm rebuilt as xlsx: 2 sheet\(s\).*macros 1.*externalLinks 1.*ddeLinks 1.*hiddenSheets 2.*ddeFormulas 1/);
  });

  it('blocks the macro workbook under the default policy (macroOffice: block)', async () => {
    const v = await sanitize({ name: 'm.xlsm', bytes: await hostileWorkbook() }, parseFilePolicy({}), deps);
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'macro-document' });
  });

  it('rebuilds a plain .xlsx by default, without LibreOffice', async () => {
    const bytes = new Uint8Array((await (await formWorkbook()).xlsx.writeBuffer()) as ArrayBuffer);
    const v = sanitized(await sanitize({ name: 'form.xlsx', bytes }, parseFilePolicy({}), fakeDeps()));
    expect(v.output.name).toBe('form.xlsx');
    expect(cellsOf((await readBack(v.output.bytes)).getWorksheet('届出様式')!)).toEqual(FORM_VALUES);
    expect(v.changes?.map((c) => c.kind)).not.toContain('macros-removed');
  });

  it('leaves formula cells empty under formulas: drop', async () => {
    const bytes = new Uint8Array((await (await formWorkbook()).xlsx.writeBuffer()) as ArrayBuffer);
    const v = sanitized(await sanitize({ name: 'form.xlsx', bytes }, parseFilePolicy({ spreadsheets: { formulas: 'drop' } }), deps));
    const back = await readBack(v.output.bytes);
    const { B4: _b4, A6: _a6, ...rest } = FORM_VALUES;
    expect(cellsOf(back.getWorksheet('届出様式')!)).toEqual(rest);
    expect(cellsOf(back.getWorksheet('集計')!)).toEqual({ A2: '太字と普通' });
    expect(v.changes).toContainEqual({ kind: 'formulas-replaced', count: 3, by: 'empty' });
  });

  it('turns a Shift_JIS CSV into a one-sheet .xlsx on request, formula cells neutralised and leading zeros kept', async () => {
    const sjis = new Uint8Array(iconv.encode('患者ID,氏名,値\r\n00123,山田,=1+cmd|calc\r\n45,佐藤,-3.5\r\n', 'Shift_JIS'));
    const v = sanitized(await sanitize({ name: '結果.csv', bytes: sjis }, parseFilePolicy({ spreadsheets: { csv: 'xlsx' } }), deps));
    expect(v.output.name).toBe('結果.xlsx');
    const ws = (await readBack(v.output.bytes)).worksheets[0]!;
    expect(cellsOf(ws)).toEqual({ A1: '患者ID', B1: '氏名', C1: '値', A2: '00123', B2: '山田', C2: "'=1+cmd|calc", A3: 45, B3: '佐藤', C3: -3.5 });
    expect(v.changes).toEqual([
      { kind: 'spreadsheet-rebuilt', from: 'csv', sheets: 1 },
      { kind: 'formulas-neutralised', count: 1 },
      { kind: 'text-reencoded', from: 'shift_jis' },
    ]);
    // Without the option a CSV stays CSV.
    expect(sanitized(await sanitize({ name: '結果.csv', bytes: sjis }, parseFilePolicy({}), deps)).output.name).toBe('結果.csv');
  });

  it.skipIf(!soffice)('converts a legacy .xls through LibreOffice and rebuilds it when spreadsheets.xls is xlsx', async () => {
    const xls = await withTmp(async (dir) => {
      await writeFile(join(dir, 'old.csv'), '品名,数量\n点滴,12\n');
      await promisify(execFile)(soffice!, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--infilter=CSV:44,34,76', '--convert-to', 'xls:MS Excel 97', '--outdir', join(dir, 'out'), join(dir, 'old.csv')], { timeout: 120_000 });
      return new Uint8Array(await readFile(join(dir, 'out', 'old.xls')));
    });
    const v = sanitized(await sanitize({ name: 'old.xls', bytes: xls }, parseFilePolicy({ spreadsheets: { xls: 'xlsx' } }), deps));
    expect(v.output.name).toBe('old.xlsx');
    expect(cellsOf((await readBack(v.output.bytes)).worksheets[0]!)).toEqual({ A1: '品名', B1: '数量', A2: '点滴', B2: 12 });
    expect(v.changes?.[0]).toEqual({ kind: 'spreadsheet-rebuilt', from: 'xls', sheets: 1 });
  });
});

describe('hostile spreadsheets are refused, never hang', () => {
  const run = (bytes: Uint8Array, policy: FilePolicyInput = {}): Promise<Verdict> => sanitize({ name: 'x.xlsx', bytes }, parseFilePolicy(policy), deps);

  it('refuses a decompression bomb before inflating it', async () => {
    const bomb = await workbookWithSheetXml(sheetXmlWithCells(1, 1).replace('<sheetData>', `<sheetData>${' '.repeat(30 * 1024 * 1024)}`));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const v = await run(bomb, { spreadsheets: { limits: { maxUncompressedBytes: 10 * 1024 * 1024 } } });
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'expansion-ratio' });
    expect(v.verdict === 'blocked' && v.detail).toMatch(/expand to \d+ bytes > 10485760/);
  });

  it('refuses too many cells, and a merged range that covers the whole sheet', async () => {
    const many = await run(await workbookWithSheetXml(sheetXmlWithCells(100, 30)), { spreadsheets: { limits: { maxCells: 2000 } } });
    expect(many).toMatchObject({ verdict: 'blocked', reason: 'spreadsheet-too-large' });
    const merge = sheetXmlWithCells(1, 1).replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>');
    const merged = await run(await workbookWithSheetXml(merge));
    expect(merged).toMatchObject({ verdict: 'blocked', reason: 'spreadsheet-too-large' });
    expect(merged.verdict === 'blocked' && merged.detail).toMatch(/more than 500000 cells \(merged areas counted\)/);
    // The same in single quotes with absolute references: still measured, not left to the parser.
    const quoted = await run(await workbookWithSheetXml(merge.replace('ref="A1:XFD1048576"', "ref='$A$1:$XFD$1048576'")));
    expect(quoted).toMatchObject({ verdict: 'blocked', reason: 'spreadsheet-too-large' });
    expect(quoted.verdict === 'blocked' && quoted.detail).toMatch(/more than 500000 cells \(merged areas counted\)/);
  });

  it('refuses malformed XML and a package without a workbook', async () => {
    const broken = await run(await workbookWithSheetXml('<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData'));
    expect(broken).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
    const ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
    expect(await run(await zipOf({ '[Content_Types].xml': ct }))).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
  });

  it('expands no entities: a billion-laughs DOCTYPE and an external entity are refused', async () => {
    const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">${laughs}]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>`;
    const t0 = performance.now();
    const laughed = await run(await workbookWithSheetXml(bomb));
    expect(laughed).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
    expect(laughed.verdict === 'blocked' && laughed.detail).toMatch(/undefined entity/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>`;
    const external = await run(await workbookWithSheetXml(xxe));
    expect(external).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
    expect(external.verdict === 'blocked' && external.detail).toMatch(/undefined entity/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('stops a rebuild at its time limit and reports it', async () => {
    // 300 000 cells take far longer than 2.5 s to parse and rewrite; the worker is killed mid-way.
    const big = await workbookWithSheetXml(sheetXmlWithCells(12_000, 25));
    const t0 = performance.now();
    const v = await run(big, { timeouts: { spreadsheetMs: 2500 } });
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'timeout' });
    expect(v.verdict === 'blocked' && v.detail).toMatch(/spreadsheet worker killed after 2500ms/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('stops a worker that runs out of its heap', async () => {
    const v = await run(await workbookWithSheetXml(sheetXmlWithCells(4000, 25)), { spreadsheets: { limits: { workerHeapMb: 64 } } });
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'spreadsheet-too-large' });
    expect(v.verdict === 'blocked' && v.detail).toMatch(/ran out of its 64 MB heap/);
  });
});
