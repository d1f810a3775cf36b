import { describe, expect, it } from 'vitest';
import { plainText } from '../../../protocol/plain-text.js';
import { displayName } from '../../../gateway/downloads/download-files.js';

describe('plainText (remote-side text shown by the viewer)', () => {
  it('removes bidi overrides, embeddings, isolates and marks', () => {
    // U+202E reversed the toolbar title in the review (issue 9, item 14).
    const out = plainText('a\u202Ebc\u202Ad\u202Ce\u2066f\u2069g\u200Fh\u200Ei\u061Cj', 100);
    expect(out).toBe('abcdefghij');
  });

  it('removes zero-width characters, the BOM, C0/C1 controls and lone surrogates', () => {
    expect(plainText('\uFEFFa\u200Bb\u200Dc\u0000d\u001Be\u0085f\u007Fg\uD800h', 100)).toBe('abcdefgh');
  });

  it('turns line breaks and tabs into spaces in single-line text', () => {
    expect(plainText('first\r\nsecond\nthird\u2028fourth\tfifth', 100)).toBe('first second third fourth fifth');
  });

  it('keeps line breaks (normalized) and tabs in multi-line text', () => {
    expect(plainText('a\r\nb\rc\u2029d\te\u202E', 100, { multiline: true })).toBe('a\nb\nc\nd\te');
  });

  it('keeps markup as text and ordinary Japanese, emoji and variation selectors', () => {
    const text = '<img src=x onerror=alert(1)> 患者さん向け 葛\u{E0100}城 🏥';
    expect(plainText(text, 100)).toBe(text);
  });

  it('bounds the length without splitting a surrogate pair', () => {
    expect(plainText('ab🏥', 3)).toBe('ab');
    expect(plainText('x'.repeat(50), 10)).toHaveLength(10);
  });

  it('is the rule behind download names too', () => {
    expect(displayName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(displayName(' \u200B ')).toBe('download');
  });
});
