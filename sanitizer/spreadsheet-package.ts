/**
 * First look at a hostile .xlsx/.xlsm package, before any spreadsheet library sees it:
 * the ZIP is read with our own bounded reader (zip-reader.ts: sizes checked against the
 * central directory, inflation capped, CRCs verified), the parts a rebuild needs are
 * kept and everything else — macros, external links, DDE and OLE links, embedded
 * objects, ActiveX, drawings, comments — is dropped and counted. The sheet XML is
 * scanned (never parsed) for its size: cells, rows, columns, merged areas, hyperlinks.
 * What survives is packed into a fresh ZIP, so the library parses a package whose
 * every byte we have already measured (no zip-parser disagreements, no bombs).
 *
 * Runs inside the spreadsheet worker (spreadsheet-worker.ts), under its memory cap and
 * time limit.
 */
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';
import { listZip, readZipEntry } from './zip-reader.js';

/** Bounds on one workbook; see `spreadsheets.limits` in file-policy.ts. */
export interface SpreadsheetLimits {
  maxSheets: number;
  maxRows: number;
  maxColumns: number;
  maxCells: number;
  maxSharedStrings: number;
  /** Sum of the uncompressed sizes of the parts we read. */
  maxUncompressedBytes: number;
}

/** Items of the input that the rebuilt workbook does not carry. */
export interface RemovedItems {
  macros: number;
  externalLinks: number;
  ddeLinks: number;
  oleObjects: number;
  activeX: number;
  drawings: number;
  comments: number;
  hyperlinks: number;
}

/** The measured package. */
export interface InspectedPackage {
  /** Parts the rebuild reads, as bytes. */
  parts: Map<string, Uint8Array>;
  removed: RemovedItems;
  cells: number;
}

const KEPT = [
  /^\[Content_Types\]\.xml$/,
  /^_rels\/\.rels$/,
  /^xl\/workbook\.xml$/,
  /^xl\/_rels\/workbook\.xml\.rels$/,
  /^xl\/worksheets\/sheet\d+\.xml$/,
  /^xl\/styles\.xml$/,
  /^xl\/sharedStrings\.xml$/,
  /^xl\/theme\/theme\d+\.xml$/,
];

const MAX_MEMBERS = 10_000;

/** 'AB' → 28. */
function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function count(text: string, re: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(re)) n++;
  return n;
}

interface SheetScan {
  cells: number;
  mergedArea: number;
  hyperlinks: number;
}

// Namespace prefixes and either quote are valid XML; a scan that missed them would miss what the parser reads.
const P = '<(?:[\\w.-]+:)?';
const CELL_REF = new RegExp(`${P}c\\b[^>]*?\\sr\\s*=\\s*["']\\$?([A-Za-z]{1,3})\\$?(\\d{1,7})["']`, 'g');
const CELL = new RegExp(`${P}c\\b`, 'g');
const ROW_REF = new RegExp(`${P}row\\b[^>]*?\\sr\\s*=\\s*["'](\\d{1,8})["']`, 'g');
const MERGE = new RegExp(`${P}mergeCell\\b[^>]*?\\sref\\s*=\\s*["']\\$?([A-Za-z]{1,3})\\$?(\\d{1,7})(?::\\$?([A-Za-z]{1,3})\\$?(\\d{1,7}))?["']`, 'g');
const HYPERLINK = new RegExp(`${P}hyperlink\\b`, 'g');

function scanSheet(name: string, xml: string, limits: SpreadsheetLimits): Outcome<SheetScan> {
  let maxCol = 0;
  let maxRow = 0;
  for (const m of xml.matchAll(CELL_REF)) {
    maxCol = Math.max(maxCol, columnNumber(m[1]!));
    maxRow = Math.max(maxRow, Number(m[2]));
  }
  for (const m of xml.matchAll(ROW_REF)) maxRow = Math.max(maxRow, Number(m[1]));
  if (maxRow > limits.maxRows) return refuse('spreadsheet-too-large', `${name}: row ${maxRow} > ${limits.maxRows}`);
  if (maxCol > limits.maxColumns) return refuse('spreadsheet-too-large', `${name}: column ${maxCol} > ${limits.maxColumns}`);
  let mergedArea = 0;
  for (const m of xml.matchAll(MERGE)) {
    const [c1, r1] = [columnNumber(m[1]!), Number(m[2])];
    const [c2, r2] = m[3] ? [columnNumber(m[3]), Number(m[4])] : [c1, r1];
    if (Math.max(r1, r2) > limits.maxRows || Math.max(c1, c2) > limits.maxColumns) return refuse('spreadsheet-too-large', `${name}: merged range ${m[0]} out of bounds`);
    mergedArea += (Math.abs(r2 - r1) + 1) * (Math.abs(c2 - c1) + 1);
  }
  return pass({ cells: count(xml, CELL), mergedArea, hyperlinks: count(xml, HYPERLINK) });
}

const decoder = new TextDecoder('utf-8');

/**
 * List, bound and read the package; refuse it with a reason code when a limit is
 * exceeded (`expansion-ratio` for a decompression bomb, `spreadsheet-too-large` for
 * too many sheets, rows, columns, cells or shared strings).
 */
export function inspectPackage(bytes: Uint8Array, limits: SpreadsheetLimits): Outcome<InspectedPackage> {
  const listed = listZip(bytes, MAX_MEMBERS);
  if (!listed.ok) return listed;
  const entries = listed.value.filter((e) => !e.isDirectory);
  const names = entries.map((e) => e.name);
  const has = (re: RegExp): number => names.filter((n) => re.test(n)).length;
  const removed: RemovedItems = {
    macros: has(/(^|\/)vbaProject\.bin$/i),
    externalLinks: 0,
    ddeLinks: 0,
    oleObjects: has(/^xl\/embeddings\//i),
    activeX: has(/^xl\/activeX\/.*\.xml$/i),
    drawings: has(/^xl\/(drawings\/[^/]+\.xml|charts\/chart[^/]*\.xml)$/i),
    comments: 0,
    hyperlinks: 0,
  };
  const kept = entries.filter((e) => KEPT.some((re) => re.test(e.name)));
  const links = entries.filter((e) => /^xl\/externalLinks\/[^/]+\.xml$/i.test(e.name));
  const comments = entries.filter((e) => /^xl\/comments[^/]*\.xml$/i.test(e.name));
  const toRead = [...kept, ...links, ...comments];
  const total = toRead.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limits.maxUncompressedBytes) {
    return refuse('expansion-ratio', `xlsx: parts expand to ${total} bytes > ${limits.maxUncompressedBytes} (${bytes.length} bytes compressed)`);
  }
  const parts = new Map<string, Uint8Array>();
  const text = (name: string): string => decoder.decode(parts.get(name));
  for (const e of toRead) {
    const r = readZipEntry(bytes, e, limits.maxUncompressedBytes);
    if (!r.ok) return r;
    parts.set(e.name, r.value);
  }
  for (const l of links) {
    if (/<(?:\w+:)?ddeLink\b/.test(text(l.name))) removed.ddeLinks++;
    else removed.externalLinks++;
    parts.delete(l.name);
  }
  for (const c of comments) {
    removed.comments += count(text(c.name), /<(?:\w+:)?comment\b/g);
    parts.delete(c.name);
  }
  if (!parts.has('xl/workbook.xml')) return refuse('malformed', 'xlsx: no xl/workbook.xml');
  const sheets = [...parts.keys()].filter((n) => n.startsWith('xl/worksheets/'));
  if (sheets.length > limits.maxSheets) return refuse('spreadsheet-too-large', `xlsx: ${sheets.length} sheets > ${limits.maxSheets}`);
  const declared = count(text('xl/workbook.xml'), /<(?:\w+:)?sheet\b/g);
  if (declared > limits.maxSheets) return refuse('spreadsheet-too-large', `xlsx: ${declared} sheets declared > ${limits.maxSheets}`);
  let cells = 0;
  for (const s of sheets) {
    const scanned = scanSheet(s, text(s), limits);
    if (!scanned.ok) return scanned;
    cells += scanned.value.cells + scanned.value.mergedArea;
    removed.hyperlinks += scanned.value.hyperlinks;
    if (cells > limits.maxCells) return refuse('spreadsheet-too-large', `xlsx: more than ${limits.maxCells} cells (merged areas counted)`);
  }
  if (parts.has('xl/sharedStrings.xml')) {
    const strings = count(text('xl/sharedStrings.xml'), /<(?:\w+:)?si\b/g);
    if (strings > limits.maxSharedStrings) return refuse('spreadsheet-too-large', `xlsx: ${strings} shared strings > ${limits.maxSharedStrings}`);
  }
  return pass({ parts, removed, cells });
}
