/**
 * CSV parsing and writing just strict enough to neutralise formula injection: every
 * cell that a spreadsheet would take as a formula (`=`, `+`, `-`, `@`, tab, CR, and
 * their full-width forms) is prefixed with an apostrophe and quoted, as OWASP
 * recommends. Plain signed numbers ("-5", "+1.5") are left alone where that is safe:
 * Excel reads them as numbers, not formulas, and lab values need their sign.
 *
 * The separator is a guess, and the spreadsheet may guess differently: Excel opens a
 * `.csv` with the list separator of the PC (comma in Japan, semicolon in much of
 * Europe), whatever the file's first line suggests. So a cell must be safe under
 * every separator a spreadsheet may use, not only under ours: wherever a comma,
 * semicolon, tab or line break inside a cell could start a field for some reader,
 * the character that follows must not start a formula.
 */

const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
const SIGNED_NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Separators a spreadsheet may split a CSV/TSV file on. */
export const PLAUSIBLE_SEPARATORS = [',', ';', '\t'] as const;

/** Characters after which some reader may start a new field (or a quoted one). */
const FIELD_BOUNDARY = /[,;\t\r\n"]/;
const FORMULA_CHAR = /[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/**
 * Walk CSV text cell by cell (RFC 4180 quoting; LF or CRLF rows) without building rows:
 * `onCell` gets each cell and whether it ends a row, and stops the walk by returning
 * true. Literal characters are copied in runs (slices), not one by one.
 */
function scanCsv(text: string, sep: string, onCell: (cell: string, endsRow: boolean) => boolean | void): void {
  let cell = ''; // the current cell's content is cell + text.slice(run, i)
  let run = 0;
  let quoted = false;
  let rowStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') continue;
      cell += text.slice(run, i);
      if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else {
        quoted = false;
      }
      run = i + 1;
    } else if (c === '"' && cell.length === 0 && run === i) {
      quoted = true;
      run = i + 1;
    } else if (c === sep) {
      if (onCell(cell + text.slice(run, i), false)) return;
      rowStarted = true;
      cell = '';
      run = i + 1;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      const end = i;
      if (c === '\r') i++;
      if (onCell(cell + text.slice(run, end), true)) return;
      rowStarted = false;
      cell = '';
      run = i + 1;
    }
  }
  cell += text.slice(run);
  if (cell.length > 0 || rowStarted) onCell(cell, true);
}

/** Parse CSV text into rows of cells (RFC 4180 quoting; LF or CRLF rows). */
export function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  scanCsv(text, sep, (cell, endsRow) => {
    row.push(cell);
    if (endsRow) {
      rows.push(row);
      row = [];
    }
  });
  return rows;
}

/** Whether a spreadsheet would treat the cell as a formula. */
export function isFormulaLike(cell: string): boolean {
  return FORMULA_START.test(cell) && !SIGNED_NUMBER.test(cell);
}

/** Neutralise one cell: prefix formula-like content with an apostrophe. */
export function neutralizeCell(cell: string): string {
  return isFormulaLike(cell) ? `'${cell}` : cell;
}

/** What a reader that skips leading blanks (tabs, spaces, line breaks) sees first. */
function afterBlanks(text: string): string {
  return text.replace(/^[\s\u3000]+/, '');
}

/**
 * Whether a signed number in this cell could be read as the start of a longer formula:
 * a reader that splits on another separator runs "-5" on into the next cells
 * ("-5,1+cmd|…" for a semicolon reader). That happens where such a reader starts a
 * field at the cell: at the start of a row, and — with tabs, which are blanks — after a
 * blank cell or a cell that ends in a separator or quote.
 */
function signedNumberAtRisk(row: string[], i: number, sep: string): boolean {
  if (i === 0) return row.length > 1;
  if (sep !== '\t') return false;
  const prev = row[i - 1]!;
  return afterBlanks(prev) === '' || /[,;\t\r\n"]$/.test(prev);
}

/** Counts character visits of the scans below, so a test can check they stay linear. */
export interface ScanMeter {
  visits: number;
}

const BLANK = /[\s\u3000]/;

/**
 * For every position i, whether the first non-blank character at or after i is a
 * formula character: one backward pass. (Rescanning the blanks after every boundary
 * instead took quadratic time on a cell of tabs, each a boundary and a blank, and
 * stalled the gateway's event loop on a 1 MB upload.)
 */
function formulaAhead(cell: string, meter?: ScanMeter): Uint8Array {
  const ahead = new Uint8Array(cell.length + 1); // ahead[cell.length] = 0: nothing follows
  for (let i = cell.length - 1; i >= 0; i--) {
    const c = cell[i]!;
    ahead[i] = BLANK.test(c) ? ahead[i + 1]! : FORMULA_CHAR.test(c) ? 1 : 0;
    if (meter) meter.visits++;
  }
  return ahead;
}

/** Neutralise a cell for every reader: at its start and after every field boundary inside it. */
function neutralizeEverywhere(cell: string, signedAtRisk: boolean, meter?: ScanMeter): string {
  const lead = afterBlanks(cell);
  const risky = isFormulaLike(cell) || (FORMULA_CHAR.test(lead[0] ?? '') && (signedAtRisk || !SIGNED_NUMBER.test(lead)));
  const ahead = formulaAhead(cell, meter);
  const parts: string[] = risky ? ["'"] : [];
  let from = 0;
  for (let i = 0; i < cell.length; i++) {
    if (meter) meter.visits++;
    if (FIELD_BOUNDARY.test(cell[i]!) && ahead[i + 1]) {
      parts.push(cell.slice(from, i + 1), "'");
      from = i + 1;
    }
  }
  parts.push(cell.slice(from));
  return parts.join('');
}

/** Quote cells that hold a separator of any reader, a quote or a line break. */
function quote(cell: string, force: boolean): string {
  if (force || /[,;\t"\r\n]/.test(cell)) return `"${cell.replace(/"/g, '""')}"`;
  return cell;
}

/**
 * Whether any reader (comma, semicolon or tab) would find a formula in the text, also
 * after skipping leading blanks (the reason OWASP lists a leading tab or CR: readers
 * that drop them see what follows).
 */
export function hasFormulaUnderAnySeparator(text: string): boolean {
  return PLAUSIBLE_SEPARATORS.some((sep) => {
    let found = false;
    scanCsv(text, sep, (cell) => (found = isFormulaLike(afterBlanks(cell))));
    return found;
  });
}

/**
 * Neutralise all cells and write the rows back with `sep` (CRLF line ends, as Excel
 * writes). Throws if the result would still hold a formula for some reader: the
 * construction above rules it out, and the check keeps it that way.
 * @param readSep the separator the input is parsed with (see {@link guessSeparator}).
 * @param meter counts the character visits of the per-cell scans (tests only).
 */
export function neutralizeCsv(text: string, sep: string, readSep = sep, meter?: ScanMeter): { text: string; neutralized: number } {
  let neutralized = 0;
  const out = parseCsv(text, readSep).map((row) =>
    row
      .map((cell, i) => {
        const safe = neutralizeEverywhere(cell, signedNumberAtRisk(row, i, sep), meter);
        if (safe !== cell) neutralized++;
        return quote(safe, safe !== cell);
      })
      .join(sep),
  );
  const result = out.length ? `${out.join('\r\n')}\r\n` : '';
  if (hasFormulaUnderAnySeparator(result)) throw new Error('csv: a formula survived neutralisation');
  return { text: result, neutralized };
}

/**
 * The separator to read the input with: tab for .tsv or when the first line has tabs
 * and no commas. Output is written with commas for a .csv (what Excel expects when it
 * opens one) and tabs for a .tsv.
 */
export function guessSeparator(text: string, ext: string): string {
  if (ext === 'tsv') return '\t';
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}
