/**
 * The one rule for text that a remote page controls and the viewer shows: page
 * titles, URLs, dialog text, download file names. The gateway applies it before
 * such text leaves for the client (or the consoles).
 *
 * Control and format characters never reach a screen: bidi embeddings, overrides,
 * isolates and marks (U+202E "RIGHT-TO-LEFT OVERRIDE" turns "invoice‮fdp.exe" into
 * "invoiceexe.pdf" and reverses a toolbar title), zero-width characters, the BOM,
 * C0/C1 controls, and line/paragraph separators. Markup is not removed: it is
 * ordinary text, and the client sets every such string as text, never as HTML.
 */

// Unicode general categories Cc (controls) and Cf (format, incl. all bidi controls),
// plus the line and paragraph separators (Zl, Zp), which act like line breaks, and
// lone surrogates (Cs), which are not text at all.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

/** Options of {@link plainText}. */
export interface PlainTextOptions {
  /** Keep line breaks (normalized to "\n") and tabs, as dialog messages need; default false. */
  multiline?: boolean;
}

/**
 * Returns `raw` without control and format characters, at most `maxLength` UTF-16
 * units long (never ending in half a surrogate pair). Single-line text gets a space
 * where a line break or tab was, so words stay apart.
 */
export function plainText(raw: string, maxLength: number, options: PlainTextOptions = {}): string {
  const multiline = options.multiline === true;
  const cleaned = raw
    .replace(LINE_BREAK, multiline ? '\n' : ' ')
    .replace(HIDDEN, (c) => (c === '\n' && multiline ? c : c === '\t' ? (multiline ? c : ' ') : ''));
  if (cleaned.length <= maxLength) return cleaned;
  const cut = cleaned.slice(0, maxLength);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
