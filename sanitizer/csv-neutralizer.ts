/**
 * CSV parsing and writing just strict enough to neutralise formula injection: every
 * cell that a spreadsheet would take as a formula (`=`, `+`, `-`, `@`, tab, CR, and
 * their full-width forms) is prefixed with an apostrophe and quoted, as OWASP
 * recommends. Plain signed numbers ("-5", "+1.5") are left alone: Excel reads them as
 * numbers, not formulas, and lab values need their sign.
 */

const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
const SIGNED_NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Parse CSV text into rows of cells (RFC 4180 quoting; LF or CRLF rows). */
export function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && cell.length === 0) {
      quoted = true;
    } else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell.length > 0 || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
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

function quote(cell: string, sep: string, force: boolean): string {
  if (force || cell.includes(sep) || /["\r\n]/.test(cell)) return `"${cell.replace(/"/g, '""')}"`;
  return cell;
}

/** Neutralise all cells and write the rows back (CRLF line ends, as Excel writes). */
export function neutralizeCsv(text: string, sep: string): { text: string; neutralized: number } {
  let neutralized = 0;
  const out = parseCsv(text, sep).map((row) =>
    row
      .map((cell) => {
        const safe = neutralizeCell(cell);
        if (safe !== cell) neutralized++;
        return quote(safe, sep, safe !== cell);
      })
      .join(sep),
  );
  return { text: out.length ? `${out.join('\r\n')}\r\n` : '', neutralized };
}

/** Guess the separator: tab for .tsv or when the first line has tabs and no commas. */
export function guessSeparator(text: string, ext: string): string {
  if (ext === 'tsv') return '\t';
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}
