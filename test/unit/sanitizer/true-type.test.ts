import { describe, expect, it } from 'vitest';
import { detectTrueType } from '../../../sanitizer/true-type.js';
import { docm, docx, encryptedZip, fakeExe, odt, png, scriptedSvg, shiftJisCsv, textPdf, zipOf } from '../../fixtures/sanitizer/hostile-files.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('detectTrueType', () => {
  it('detects images and PDF from their bytes', async () => {
    expect((await detectTrueType(await png())).type).toBe('png');
    expect((await detectTrueType(await textPdf())).type).toBe('pdf');
  });

  it('reports an executable as other', async () => {
    const d = await detectTrueType(fakeExe());
    expect(d.type).toBe('other');
    expect(d.detail).toContain('exe');
  });

  it('tells OOXML, macro-enabled OOXML, ODF and plain ZIP apart by looking inside', async () => {
    expect(await detectTrueType(await docx())).toMatchObject({ type: 'docx', macros: false });
    expect(await detectTrueType(await docm())).toMatchObject({ type: 'docm', macros: true });
    expect(await detectTrueType(await odt())).toMatchObject({ type: 'odt', macros: false });
    expect(await detectTrueType(await odt(true))).toMatchObject({ type: 'odt', macros: true });
    expect(await detectTrueType(await zipOf({ 'a.txt': 'x' }))).toMatchObject({ type: 'zip', encrypted: false });
  });

  it('treats a docx with a VBA project as macro-enabled', async () => {
    const d = await docx();
    const withVba = await zipOf({
      '[Content_Types].xml': '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      'word/vbaProject.bin': new Uint8Array([1, 2, 3]),
    });
    expect((await detectTrueType(d)).type).toBe('docx');
    expect(await detectTrueType(withVba)).toMatchObject({ type: 'docm', macros: true });
  });

  it('flags encrypted ZIP members', async () => {
    expect(await detectTrueType(await encryptedZip())).toMatchObject({ type: 'zip', encrypted: true });
  });

  it('sniffs SVG, HTML, CSV and text', async () => {
    expect((await detectTrueType(scriptedSvg())).type).toBe('svg');
    expect((await detectTrueType(text('<!DOCTYPE html><html><body>hi</body></html>'))).type).toBe('other');
    expect((await detectTrueType(text('a,b,c\n1,2,3\n4,5,6\n'))).type).toBe('csv');
    expect((await detectTrueType(shiftJisCsv())).type).toBe('csv');
    expect((await detectTrueType(text('お知らせ\n本日は休診です。\n'))).type).toBe('text');
  });

  it('does not call binary junk text', async () => {
    const junk = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256);
    expect((await detectTrueType(junk)).type).toBe('other');
    expect((await detectTrueType(new Uint8Array())).type).toBe('other');
  });
});
