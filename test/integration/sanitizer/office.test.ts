import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { LibreOfficeConverter, findLibreOffice } from '../../../sanitizer/office-converter.js';
import { PopplerRasterizer } from '../../../sanitizer/pdf-rasterizer.js';
import { PdfiumRasterizer } from '../../../sanitizer/pdfium-rasterizer.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import type { SanitizerDeps } from '../../../sanitizer/pipeline.js';
import { detectTrueType } from '../../../sanitizer/true-type.js';
import { listZip, readZipEntry } from '../../../sanitizer/zip-reader.js';
import { zipOf } from '../../fixtures/sanitizer/hostile-files.js';
import { FakeScanner } from '../../unit/sanitizer/fakes.js';
import { inkShare, pdfKeyNames, pdfText, renderFirstPage, withTmp } from './render-helpers.js';
import { privateViewPrefix } from '../../../sanitizer/private-view.js';

const exec = promisify(execFile);
const soffice = await findLibreOffice();
const privateView = await privateViewPrefix('/');
const deps: SanitizerDeps = { scanner: new FakeScanner(), rasterizer: new PopplerRasterizer(), officeConverter: soffice ? new LibreOfficeConverter(soffice) : null };

/** Let LibreOffice itself write a fixture (e.g. CSV → xlsx/xls, text → docx). */
async function officeFixture(name: string, content: string, to: string): Promise<Uint8Array> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, name), content);
    await exec(soffice!, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', to, '--outdir', join(dir, 'out'), join(dir, name)], { timeout: 120_000 });
    const base = name.replace(/\.[^.]+$/, '');
    return readFile(join(dir, 'out', `${base}.${to.split(':')[0]}`));
  });
}

describe.skipIf(!soffice)('Office documents through LibreOffice', () => {
  it('converts an xlsx form to a PDF named form.pdf that shows the sheet (spreadsheets.xlsx: pdf)', async () => {
    const xlsx = await officeFixture('form.csv', '氏名,生年月日,電話\n山田 太郎,1980-01-01,03-0000-0000\n', 'xlsx');
    expect((await detectTrueType(xlsx)).type).toBe('xlsx');
    const v = await sanitize({ name: 'form.xlsx', bytes: xlsx }, parseFilePolicy({ spreadsheets: { xlsx: 'pdf' } }), deps);
    expect(v.verdict === 'blocked' ? v.detail : v.output.name).toBe('form.pdf');
    if (v.verdict !== 'sanitized') return;
    expect(v.output).toMatchObject({ mimeType: 'application/pdf', trueType: 'pdf' });
    expect(v.inputType).toBe('xlsx');
    expect(inkShare(await renderFirstPage(v.output.bytes))).toBeGreaterThan(0.0002); // a blank page is 0
    expect((await pdfKeyNames(v.output.bytes)).keys).not.toContain('Font');
    expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toMatch(/converted to PDF by LibreOffice \[(unshare -r?m?np? private root \(work directory only\)|unshare -r?n); prlimit/);
  }, 120_000);

  it('with the PDFium renderer, a Word document comes back as a PDF whose Japanese text is searchable', async () => {
    const docx = await officeFixture('letter.txt', '診療情報提供書\n処方：アムロジピン錠５ｍｇを１日１回服用してください。', 'docx');
    const v = await sanitize({ name: 'letter.docx', bytes: docx }, parseFilePolicy({}), { ...deps, rasterizer: new PdfiumRasterizer({ workers: 2 }) });
    if (v.verdict !== 'sanitized') throw new Error(`${v.reason}: ${v.detail}`);
    expect(await pdfText(v.output.bytes)).toContain('アムロジピン錠５ｍｇを１日１回服用してください');
    expect(v.changes).toEqual([{ kind: 'converted', from: 'docx', to: 'pdf' }, { kind: 'rendered-as-images', pages: 1, textLayerPages: 1 }]);
  }, 120_000);

  it('recognises a legacy .xls (OLE2) and converts it', async () => {
    const xls = await officeFixture('old.csv', 'a,b\n1,2\n', 'xls:MS Excel 97');
    expect((await detectTrueType(xls)).type).toBe('xls');
    const v = await sanitize({ name: 'old.xls', bytes: xls }, parseFilePolicy({}), deps);
    expect(v.verdict === 'sanitized' && v.output.name).toBe('old.pdf');
  }, 120_000);

  it('converts a macro-enabled document only when the policy says so, and never passes it', async () => {
    const docx = await officeFixture('letter.txt', '拝啓　時下ますますご清栄のこととお慶び申し上げます。', 'docx');
    // Re-label LibreOffice's docx as macro-enabled and add a (dummy) VBA project.
    const listed = listZip(docx, 100);
    if (!listed.ok) throw new Error(listed.block.detail);
    const files: Record<string, Uint8Array | string> = { 'word/vbaProject.bin': new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]) };
    for (const e of listed.value) {
      const r = readZipEntry(docx, e, 1e7);
      if (!r.ok) throw new Error(r.block.detail);
      files[e.name] = e.name === '[Content_Types].xml'
        ? new TextDecoder().decode(r.value).replace('wordprocessingml.document.main+xml', 'ms-word.document.macroEnabled.main+xml')
        : r.value;
    }
    const docm = await zipOf(files);
    expect((await detectTrueType(docm)).type).toBe('docm');
    expect(await sanitize({ name: 'm.docm', bytes: docm }, parseFilePolicy({}), deps)).toMatchObject({ verdict: 'blocked', reason: 'macro-document' });
    const v = await sanitize({ name: 'letter.docm', bytes: docm }, parseFilePolicy({ macroOffice: 'convert-to-pdf' }), deps);
    expect(v.verdict === 'sanitized' && v.output.name).toBe('letter.pdf');
  }, 120_000);

  it('blocks a document LibreOffice cannot open', async () => {
    const junk = await zipOf({
      '[Content_Types].xml': '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      'word/document.xml': '<not-xml',
    });
    const v = await sanitize({ name: 'junk.docx', bytes: junk }, parseFilePolicy({}), deps);
    expect(v).toMatchObject({ verdict: 'blocked', reason: expect.stringMatching(/^(conversion-failed|malformed)$/) });
  }, 120_000);

  describe('links to local files (issue 9, item 13)', () => {
    /** An .odt whose only content is a 15 cm frame showing the image at `href`, linked, not embedded. */
    function linkedImageOdt(href: string): Promise<Uint8Array> {
      const content = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
        ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"',
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"><office:body><office:text>',
        '<text:p>linked image below</text:p><text:p><draw:frame draw:name="img" svg:width="15cm" svg:height="15cm" text:anchor-type="paragraph">',
        `<draw:image xlink:href="${href}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>`,
        '</office:text></office:body></office:document-content>',
      ].join('');
      return zipOf({
        mimetype: 'application/vnd.oasis.opendocument.text',
        'META-INF/manifest.xml': '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        'content.xml': content,
      });
    }

    /** A black 600×600 PNG outside any work directory, as a local file a document might link. */
    async function blackImage(dir: string): Promise<string> {
      const file = join(dir, 'private-scan.png');
      await writeFile(file, await sharp({ create: { width: 600, height: 600, channels: 3, background: '#000' } }).png().toBuffer());
      return file;
    }

    it('the sanitized PDF does not show an image the .odt links from a local path', async () => {
      await withTmp(async (dir) => {
        const image = await blackImage(dir);
        for (const href of [`file://${image}`, image]) {
          const odt = await linkedImageOdt(href);
          expect((await detectTrueType(odt)).type).toBe('odt');
          const v = await sanitize({ name: 'letter.odt', bytes: odt }, parseFilePolicy({}), deps);
          expect(v.verdict === 'blocked' ? v.detail : v.output.name).toBe('letter.pdf');
          if (v.verdict !== 'sanitized') return;
          // The frame is 15 cm square: rendered, the black image would cover about a third of the page.
          expect(inkShare(await renderFirstPage(v.output.bytes))).toBeLessThan(0.02);
          expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toMatch(/1 external link\(s\) removed/);
        }
      });
    }, 240_000);

    it.skipIf(!privateView)('LibreOffice itself cannot see files outside its work directory', async () => {
      await withTmp(async (dir) => {
        const image = await blackImage(dir);
        // Straight to the converter, links left in: only the private view stands in the way.
        const linked = await linkedImageOdt(`file://${image}`);
        const converted = await withTmp((workDir) => deps.officeConverter!.convert(linked, 'odt', { workDir, timeoutMs: 120_000, memoryBytes: 2048 * 1024 * 1024 }));
        expect(converted.ok).toBe(true);
        if (!converted.ok) return;
        expect(converted.value.isolation).toMatch(/private root \(work directory only\)/);
        expect(inkShare(await renderFirstPage(converted.value.pdf))).toBeLessThan(0.02);
      });
    }, 120_000);
  });
});

