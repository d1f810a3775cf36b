/**
 * The leak guard reads the text of uploads (sanitizer/text-extract.ts): PDF through a
 * real pdftotext, Word and Excel from their XML parts, Shift_JIS CSV decoded; an
 * encrypted or damaged file is unreadable (refused by the caller), an image has no text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEAK_GUARD_POLICY, scanForLeaks } from '../../../policies/leak-guard.js';
import { extractText } from '../../../sanitizer/text-extract.js';
import { encryptedZip, png, shiftJisCsv, zipOf } from '../../fixtures/sanitizer/hostile-files.js';

const workRoot = mkdtempSync(path.join(os.tmpdir(), 'kekkai-upload-text-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));
const options = { workRoot, timeoutMs: 30_000, memoryBytes: 1024 * 1024 * 1024 };

const CT = (part: string, type: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="${part}" ContentType="${type}"/></Types>`;

describe('text of an upload', () => {
  it('reads a PDF\'s text with pdftotext, and the leak guard finds a My Number in it', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage([595, 842]).drawText('Patient number 1234 5678 9018', { x: 50, y: 780, size: 20, font });
    const result = await extractText(await doc.save(), options);
    expect(result.kind).toBe('text');
    expect(result.kind === 'text' && result.text).toContain('1234 5678 9018');
    expect(scanForLeaks(DEFAULT_LEAK_GUARD_POLICY, 'upload', result.kind === 'text' ? result.text : '').map((m) => m.ruleId)).toEqual(['my-number']);
  });

  it('reads Word paragraphs and Excel cells (numbers and shared strings)', async () => {
    const docx = await zipOf({
      '[Content_Types].xml': CT('/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'),
      'word/document.xml': '<w:document><w:body><w:p><w:r><w:t>患者番号 &amp; 個人番号</w:t></w:r><w:r><w:t>123456789018</w:t></w:r></w:p></w:body></w:document>',
    });
    const word = await extractText(docx, options);
    expect(word).toMatchObject({ kind: 'text', type: 'docx' });
    expect(word.kind === 'text' && word.text).toContain('患者番号 & 個人番号');
    expect(word.kind === 'text' && word.text).toContain('123456789018');

    const xlsx = await zipOf({
      '[Content_Types].xml': CT('/xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'),
      'xl/workbook.xml': '<workbook/>',
      'xl/sharedStrings.xml': '<sst><si><t>氏名</t></si></sst>',
      'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row><c t="s"><v>0</v></c><c><v>123456789018</v></c></row></sheetData></worksheet>',
    });
    const excel = await extractText(xlsx, options);
    expect(excel).toMatchObject({ kind: 'text', type: 'xlsx' });
    expect(excel.kind === 'text' && excel.text).toContain('氏名');
    expect(excel.kind === 'text' && excel.text).toContain('123456789018');
  });

  it('decodes Shift_JIS CSV, finds no text in an image, and calls an encrypted or damaged file unreadable', async () => {
    const csv = await extractText(shiftJisCsv(), options);
    expect(csv.kind).toBe('text');
    expect(await extractText(await png(), options)).toMatchObject({ kind: 'none', type: 'png' });
    expect((await extractText(await encryptedZip(), options)).kind).toBe('unreadable');
    // A ZIP is read member by member.
    const zipped = await extractText(await zipOf({ '一覧.csv': '氏名,番号\n山田,123456789018\n', 'logo.png': await png() }), options);
    expect(zipped.kind === 'text' && zipped.text).toContain('123456789018');
    const damagedPdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF trailing garbage');
    expect((await extractText(damagedPdf, options)).kind).toBe('unreadable');
  });
});
