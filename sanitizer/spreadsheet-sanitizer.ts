/**
 * Editable spreadsheets (issue 14): which files the policy sends to the .xlsx rebuild
 * instead of the PDF path, and the rebuild itself — .xls/.ods first converted to .xlsx
 * by LibreOffice in its limited process, then every workbook parsed and rewritten in a
 * limited worker thread (spreadsheet-runner.ts). The result lists what was left out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FilePolicy } from './file-policy.js';
import type { OfficeConverter } from './office-converter.js';
import type { SpreadsheetReport } from './spreadsheet-rebuild.js';
import { runSpreadsheetWorker } from './spreadsheet-runner.js';
import type { SpreadsheetJob } from './spreadsheet-runner.js';
import type { Detection } from './true-type.js';
import { TYPE_INFO } from './type-table.js';
import type { TrueType } from './type-table.js';
import type { Change, Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** The engines the rebuild may need (a subset of ReconstructDeps). */
export interface SpreadsheetDeps {
  officeConverter: OfficeConverter | null;
  tmpDir?: string;
}

const OOXML_SHEETS = new Set<TrueType>(['xlsx', 'xlsm']);
const OTHER_SHEETS = new Set<TrueType>(['xls', 'ods']);

/** Whether the policy wants this file rebuilt as an .xlsx (false: the usual path). */
export function wantsXlsx(det: Detection, ext: string, policy: FilePolicy): boolean {
  const p = policy.spreadsheets;
  if (OOXML_SHEETS.has(det.type)) return p.xlsx === 'xlsx';
  if (OTHER_SHEETS.has(det.type)) return p.xls === 'xlsx';
  if (det.type === 'csv' || det.type === 'text') return p.csv === 'xlsx' && (ext === 'csv' || ext === 'tsv' || (ext === '' && det.type === 'csv'));
  return false;
}

function changesOf(from: TrueType, r: SpreadsheetReport, policy: FilePolicy): Change[] {
  const x = r.removed;
  const changes: Change[] = [{ kind: 'spreadsheet-rebuilt', from, sheets: r.sheets.length }];
  if (x.macros > 0 || from === 'xlsm') changes.push({ kind: 'macros-removed' });
  if (x.hiddenSheets > 0) changes.push({ kind: 'hidden-sheets-removed', count: x.hiddenSheets });
  const links = x.externalLinks + x.ddeLinks + x.ddeFormulas;
  if (links > 0) changes.push({ kind: 'links-removed', count: links });
  if (r.formulas > 0) changes.push({ kind: 'formulas-replaced', count: r.formulas, by: policy.spreadsheets.formulas === 'drop' ? 'empty' : 'values' });
  if (x.hyperlinks > 0) changes.push({ kind: 'hyperlinks-removed', count: x.hyperlinks });
  const objects = x.oleObjects + x.activeX + x.drawings + x.comments;
  if (objects > 0) changes.push({ kind: 'objects-removed', count: objects });
  if (r.neutralised > 0) changes.push({ kind: 'formulas-neutralised', count: r.neutralised });
  if (r.encoding && !/^utf-?8$/i.test(r.encoding)) changes.push({ kind: 'text-reencoded', from: r.encoding });
  return changes;
}

function detailOf(from: TrueType, r: SpreadsheetReport, via: string): string {
  const x = r.removed;
  const removed = Object.entries({ ...x, formulas: r.formulas, neutralised: r.neutralised }).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  return `${from}${via} rebuilt as xlsx: ${r.sheets.length} sheet(s) [${r.sheets.map((s) => JSON.stringify(s)).join(', ')}], ${r.cells} cell(s); ${removed.length ? removed.join(', ') : 'nothing removed'} [worker thread]`;
}

async function toXlsxByLibreOffice(bytes: Uint8Array, det: Detection, policy: FilePolicy, deps: SpreadsheetDeps): Promise<Outcome<{ xlsx: Uint8Array; isolation: string }>> {
  const converter = deps.officeConverter;
  if (!converter?.toXlsx) return refuse('converter-unavailable', `${det.type}: LibreOffice is not installed`);
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'kekkai-sheet-'));
  try {
    return await converter.toXlsx(bytes, det.type, { workDir: dir, timeoutMs: policy.timeouts.convertMs, memoryBytes: policy.workerMemoryMb * 1024 * 1024 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Rebuild a spreadsheet for which {@link wantsXlsx} is true as a new .xlsx. Honours
 * `office` and `macroOffice` (a blocked macro document stays blocked).
 */
export async function rebuildSpreadsheet(
  bytes: Uint8Array,
  det: Detection,
  ext: string,
  policy: FilePolicy,
  deps: SpreadsheetDeps,
): Promise<Outcome<{ bytes: Uint8Array; type: TrueType; detail: string; changes: Change[] }>> {
  const isCsv = det.type === 'csv' || det.type === 'text';
  if (!isCsv) {
    const macro = det.macros || TYPE_INFO[det.type].macro === true;
    const action = macro ? policy.macroOffice : policy.office;
    if (action === 'block') return refuse(macro ? 'macro-document' : 'blocked-by-policy', `${det.type}: policy action is block`);
  }
  const p = policy.spreadsheets;
  let input = bytes;
  let via = '';
  if (OTHER_SHEETS.has(det.type)) {
    const converted = await toXlsxByLibreOffice(bytes, det, policy, deps);
    if (!converted.ok) return converted;
    input = converted.value.xlsx;
    via = ` → xlsx by LibreOffice [${converted.value.isolation}]`;
  }
  const job: SpreadsheetJob = isCsv
    ? { kind: 'csv', bytes: input, ext, limits: p.limits }
    : { kind: 'xlsx', bytes: input, formulas: p.formulas, limits: p.limits };
  const r = await runSpreadsheetWorker(job, { timeoutMs: policy.timeouts.spreadsheetMs, heapMb: p.limits.workerHeapMb });
  if (!r.ok) return r;
  const from = isCsv ? 'csv' : det.type;
  return pass({ bytes: r.value.bytes, type: 'xlsx', detail: detailOf(from, r.value.report, via), changes: changesOf(from, r.value.report, policy) });
}
