/**
 * The one CSV writer behind every CSV export (audit log, compliance evidence): RFC 4180
 * rows from csv-stringify with CRLF line ends, and formula neutralisation in one place.
 * A cell starting with = + - @ tab or CR (or their full-width forms, which Japanese Excel
 * treats alike, or U+2212 MINUS SIGN, which Shift_JIS turns into a full-width minus) gets
 * a leading apostrophe, so Excel shows it as text instead of running it (CSV injection).
 * csv-stringify's own `escape_formulas` knows no U+2212, hence our `cast`. Numbers are
 * ours (sequence numbers, ids) and stay as they are.
 *
 * Encodings are the two Excel on a Japanese hospital PC opens without the import wizard:
 * UTF-8 with a BOM, or Shift_JIS through iconv-lite.
 *
 * The sanitizer's rebuilding of downloaded CSV files is separate (sanitizer/csv-neutralizer.ts).
 */
import { stringify, type Options } from 'csv-stringify/sync';
import iconv from 'iconv-lite';

export type CsvCell = string | number | null;
export type CsvEncoding = 'utf8-bom' | 'shift_jis';

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20\u2212]/;
const UTF8_BOM = '\uFEFF';

const OPTIONS: Options = {
  record_delimiter: '\r\n',
  // Quote a lone \n or \r too: with its own record_delimiter set, csv-stringify would not.
  quote_record_delimiter: true,
  cast: { string: (value) => (FORMULA_START.test(value) ? `'${value}` : value) },
};

/**
 * One column of an export: a stable key (for code and tests), the header users see (the
 * caller picks its language) and how a row gives its cell.
 */
export interface CsvColumn<Row> {
  readonly key: string;
  readonly header: string;
  readonly value: (row: Row) => CsvCell;
}

/** An export's columns, ready to write rows; every cell goes through the same neutralisation. */
export interface CsvTable<Row> {
  readonly keys: readonly string[];
  /** The header line, CRLF included. */
  header(): string;
  line(row: Row): string;
  /** The header line, then one line per row. */
  lines(rows: Iterable<Row>): Generator<string>;
  /** A whole (small) document: BOM, header, rows. */
  document(rows: Iterable<Row>): string;
}

/** Declares an export by its columns. Headers are cells too (neutralised like any other). */
export function csvTable<Row>(columns: ReadonlyArray<CsvColumn<Row>>): CsvTable<Row> {
  const cells = (row: Row): CsvCell[] => columns.map((c) => c.value(row));
  const header = (): string => csvLine(columns.map((c) => c.header));
  return {
    keys: columns.map((c) => c.key),
    header,
    line: (row) => csvLine(cells(row)),
    *lines(rows) {
      yield header();
      for (const row of rows) yield csvLine(cells(row));
    },
    document: (rows) => csvDocument([columns.map((c) => c.header), ...[...rows].map(cells)]),
  };
}

/** One record as a CSV line, CRLF included. */
export function csvLine(cells: readonly CsvCell[]): string {
  return stringify([cells as CsvCell[]], OPTIONS);
}

/** A whole (small) CSV document as text: BOM, then every row. */
export function csvDocument(rows: ReadonlyArray<readonly CsvCell[]>): string {
  return UTF8_BOM + stringify(rows as CsvCell[][], OPTIONS);
}

/** Encodes CSV lines chunk by chunk: UTF-8 starting with a BOM, or Shift_JIS. */
export function* encodeCsv(lines: Iterable<string>, encoding: CsvEncoding): Generator<Buffer> {
  let first = true;
  for (const line of lines) {
    yield encoding === 'shift_jis' ? encodeShiftJis(line) : Buffer.from(first ? UTF8_BOM + line : line, 'utf8');
    first = false;
  }
}

/**
 * Shift_JIS as Windows writes it (iconv-lite's table is CP932): characters it cannot
 * hold become "?". U+2212 becomes 0x817C as in the WHATWG encoder; iconv-lite has no
 * mapping for it and would write "?".
 */
function encodeShiftJis(text: string): Buffer {
  return iconv.encode(text.replace(/\u2212/g, '\uFF0D'), 'Shift_JIS');
}
