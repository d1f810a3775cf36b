/**
 * Decoding of text files as Japanese hospitals meet them: UTF-8 (with or without BOM),
 * Shift_JIS/CP932 from Excel and older systems, and UTF-16 with a BOM from Notepad.
 */

/** Result of {@link decodeText}. */
export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'shift_jis' | 'utf-16le' | 'utf-16be';
}

function tryDecode(label: string, bytes: Uint8Array): string | null {
  try {
    // ignoreBOM: false strips a leading BOM, which we re-add ourselves where wanted.
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Decode bytes as text, or return null when they are not text in a known encoding. */
export function decodeText(bytes: Uint8Array): DecodedText | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    const t = tryDecode('utf-16le', bytes);
    return t === null ? null : { text: t, encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const t = tryDecode('utf-16be', bytes);
    return t === null ? null : { text: t, encoding: 'utf-16be' };
  }
  // NUL never appears in real UTF-8 or Shift_JIS text; binary files nearly always have one.
  if (bytes.includes(0)) return null;
  const u = tryDecode('utf-8', bytes);
  if (u !== null) return { text: u, encoding: 'utf-8' };
  const s = tryDecode('shift_jis', bytes);
  if (s !== null) return { text: s, encoding: 'shift_jis' };
  return null;
}

// C0 controls except TAB, LF, CR; DEL; C1 controls; bidi embedding/override/isolate controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Remove control characters (keeping tab and line breaks) and bidi overrides. */
export function stripControls(text: string): string {
  return text.replace(CONTROL, '');
}

/** Share of characters that are controls; text files have (almost) none. */
export function controlRatio(text: string): number {
  if (text.length === 0) return 0;
  const n = text.match(CONTROL)?.length ?? 0;
  return n / text.length;
}
