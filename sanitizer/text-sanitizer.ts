import { guessSeparator, neutralizeCsv } from './csv-neutralizer.js';
import { decodeText, stripControls } from './text-decoding.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** Rebuilt text: UTF-8 bytes plus a note for the audit trail. */
export interface RebuiltText {
  bytes: Uint8Array;
  detail: string;
  /** The encoding the input was read in. */
  encoding: string;
  /** Formula cells made inert (CSV only). */
  neutralized?: number;
}

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/** Decode (UTF-8, Shift_JIS/CP932, UTF-16 BOM), strip controls, write UTF-8 without BOM. */
export function rebuildText(bytes: Uint8Array): Outcome<RebuiltText> {
  const decoded = decodeText(bytes);
  if (!decoded) return refuse('malformed', 'text: not decodable as UTF-8, Shift_JIS or UTF-16');
  const clean = stripControls(decoded.text.replace(/^\uFEFF/, ''));
  return pass({ bytes: new TextEncoder().encode(clean), detail: `text from ${decoded.encoding} to UTF-8`, encoding: decoded.encoding });
}

/**
 * Decode, strip controls, neutralise formula cells and write UTF-8 with a BOM, so
 * that Excel opens it in the right encoding.
 */
export function rebuildCsv(bytes: Uint8Array, ext: string): Outcome<RebuiltText> {
  const decoded = decodeText(bytes);
  if (!decoded) return refuse('malformed', 'csv: not decodable as UTF-8, Shift_JIS or UTF-16');
  const clean = stripControls(decoded.text.replace(/^\uFEFF/, ''));
  // Read with the guessed separator; write commas for .csv (as Excel reads it) and tabs
  // for .tsv. Neutralisation holds for every separator a reader may choose.
  const readSep = guessSeparator(clean, ext);
  let neutral: { text: string; neutralized: number };
  try {
    neutral = neutralizeCsv(clean, ext === 'tsv' ? '\t' : ',', readSep);
  } catch (err) {
    return refuse('recheck-failed', String((err as Error).message));
  }
  const { text, neutralized } = neutral;
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(BOM.length + body.length);
  out.set(BOM, 0);
  out.set(body, BOM.length);
  return pass({ bytes: out, detail: `csv from ${decoded.encoding} to UTF-8 with BOM; ${neutralized} formula cell(s) neutralised`, encoding: decoded.encoding, neutralized });
}
