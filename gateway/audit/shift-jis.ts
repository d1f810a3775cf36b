/**
 * Shift_JIS encoder for CSV exports that Excel on a Japanese hospital PC opens
 * without an import wizard. Node decodes Shift_JIS (TextDecoder, full ICU) but has
 * no encoder and iconv-lite is not a dependency, so the table is built once by
 * decoding every two-byte code and inverting the result, following the WHATWG
 * Encoding Standard's Shift_JIS encoder (pointers 8272–8835, the NEC-selected IBM
 * duplicates in rows 0xED–0xEE, are skipped so IBM extensions win).
 */

/** Written for characters Shift_JIS cannot hold (emoji, most JIS X 0213 kanji). */
export const SJIS_REPLACEMENT = 0x3f; // '?'

let table: Map<number, number> | undefined;

function buildTable(): Map<number, number> {
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  const map = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead <= 0xdf) continue;
    if (lead === 0xed || lead === 0xee) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let text: string;
      try {
        text = decoder.decode(pair);
      } catch {
        continue;
      }
      const cp = text.codePointAt(0);
      if (cp !== undefined && text.length === 1 && !map.has(cp)) map.set(cp, (lead << 8) | trail);
    }
  }
  return map;
}

/** Encodes text as Shift_JIS bytes; unmappable characters become "?". */
export function encodeShiftJis(text: string): Buffer {
  table ??= buildTable();
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x80) out[n++] = cp;
    else if (cp === 0xa5) out[n++] = 0x5c;
    else if (cp === 0x203e) out[n++] = 0x7e;
    else if (cp >= 0xff61 && cp <= 0xff9f) out[n++] = cp - 0xff61 + 0xa1;
    else {
      const code = cp === 0x2212 ? 0x817c : table.get(cp);
      if (code === undefined) out[n++] = SJIS_REPLACEMENT;
      else {
        out[n++] = code >> 8;
        out[n++] = code & 0xff;
      }
    }
  }
  return out.subarray(0, n);
}
