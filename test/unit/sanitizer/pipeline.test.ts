import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILE_POLICY, parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import type { Verdict } from '../../../sanitizer/verdict.js';
import { listZip, readZipEntry } from '../../../sanitizer/zip-reader.js';
import {
  docm, docx, encryptedZip, fakeExe, jpegWithExif, nestedZip, pixelBombPng, png, scriptedSvg, shiftJisCsv, truncatedJpeg, zipBomb, zipOf,
} from '../../fixtures/sanitizer/hostile-files.js';
import { FakeScanner, fakeDeps } from './fakes.js';

const run = (name: string, bytes: Uint8Array, deps = fakeDeps(), policy = DEFAULT_FILE_POLICY): Promise<Verdict> => sanitize({ name, bytes }, policy, deps);

function expectBlocked(v: Verdict, reason: string): void {
  expect(v.verdict, JSON.stringify(v.verdict === 'blocked' ? v.detail : v.output.name)).toBe('blocked');
  if (v.verdict === 'blocked') {
    expect(v.reason).toBe(reason);
    expect(v.message.ja.length).toBeGreaterThan(0);
    expect(v.message.en.length).toBeGreaterThan(0);
  }
}

describe('sanitize: names and types', () => {
  it('blocks a .pdf that is really an executable as type-mismatch, without scanning', async () => {
    const scanner = new FakeScanner();
    const v = await run('report.pdf', fakeExe(), fakeDeps(scanner));
    expectBlocked(v, 'type-mismatch');
    expect(scanner.seen).toHaveLength(0);
  });

  it('blocks an honestly named executable as type-not-allowed', async () => {
    expectBlocked(await run('setup.exe', fakeExe()), 'type-not-allowed');
  });

  it('blocks a PNG named .jpg', async () => {
    expectBlocked(await run('photo.jpg', await png()), 'type-mismatch');
  });

  it('blocks a right-to-left-override name', async () => {
    expectBlocked(await run('invoice\u202Egnp.exe', await png()), 'deceptive-name');
  });

  it('blocks types outside the allowed groups', async () => {
    expectBlocked(await run('a.png', await png(), fakeDeps(), parseFilePolicy({ allowedGroups: ['pdf'] })), 'blocked-by-policy');
  });

  it('blocks files over the size limit for their type', async () => {
    expectBlocked(await run('a.png', await png(), fakeDeps(), parseFilePolicy({ maxBytes: { image: 10 } })), 'too-large');
  });
});

describe('sanitize: antivirus', () => {
  it('blocks an infected file and records the signature', async () => {
    const v = await run('a.png', await png(), fakeDeps(new FakeScanner(() => ({ status: 'infected', signature: 'Win.Test.Thing' }))));
    expectBlocked(v, 'infected');
    expect(v.verdict === 'blocked' && v.signature).toBe('Win.Test.Thing');
  });

  it('blocks when the scanner gives no definite answer', async () => {
    const v = await run('a.png', await png(), fakeDeps(new FakeScanner(() => ({ status: 'unavailable', detail: 'ECONNREFUSED' }))));
    expectBlocked(v, 'scanner-unavailable');
  });

  it('blocks when the scanner throws (fail closed)', async () => {
    const v = await run('a.png', await png(), fakeDeps(new FakeScanner(() => Promise.reject(new Error('boom')))));
    expectBlocked(v, 'internal-error');
  });

  it('blocks when the re-scan of the output is not clean', async () => {
    const scanner = new FakeScanner((_, call) => (call === 1 ? { status: 'clean' } : { status: 'unavailable', detail: 'down' }));
    expectBlocked(await run('a.png', await png(), fakeDeps(scanner)), 'scanner-unavailable');
    expect(scanner.seen).toHaveLength(2);
  });

  it('maps clamd heuristics for encryption to the encrypted reason', async () => {
    const v = await run('a.png', await png(), fakeDeps(new FakeScanner(() => ({ status: 'infected', signature: 'Heuristics.Encrypted.Zip' }))));
    expectBlocked(v, 'encrypted');
  });
});

describe('sanitize: images', () => {
  it('re-encodes a JPEG without its EXIF metadata', async () => {
    const input = await jpegWithExif();
    expect(Buffer.from(input).includes('secret-exif-marker')).toBe(true);
    const v = await run('photo.jpeg', input);
    expect(v.verdict).toBe('sanitized');
    if (v.verdict !== 'sanitized') return;
    expect(v.output).toMatchObject({ name: 'photo.jpeg', mimeType: 'image/jpeg', trueType: 'jpeg' });
    expect(Buffer.from(v.output.bytes).includes('secret-exif-marker')).toBe(false);
    expect((await sharp(v.output.bytes).metadata()).exif).toBeUndefined();
    expect(v.changes).toEqual([{ kind: 'image-reencoded' }]);
  });

  it('refuses a truncated JPEG', async () => {
    expectBlocked(await run('cut.jpg', await truncatedJpeg()), 'malformed');
  });

  it('refuses a pixel bomb before decoding it', async () => {
    expectBlocked(await run('bomb.png', pixelBombPng()), 'too-many-pixels');
  });

  it('renders an SVG with script to a PNG; the SVG never passes', async () => {
    const v = await run('diagram.svg', scriptedSvg());
    expect(v.verdict).toBe('sanitized');
    if (v.verdict !== 'sanitized') return;
    expect(v.output).toMatchObject({ name: 'diagram.png', trueType: 'png' });
    expect(Buffer.from(v.output.bytes).includes('script')).toBe(false);
    const stats = await sharp(v.output.bytes).stats();
    expect(stats.channels[1]!.mean).toBeGreaterThan(100); // the green rectangle is there
  });

  it('keeps only the first frame of a GIF, as PNG', async () => {
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } }).gif().toBuffer();
    const v = await run('anim.gif', gif);
    expect(v.verdict === 'sanitized' && v.output.name).toBe('anim.png');
    expect(v.verdict === 'sanitized' && v.changes).toEqual([{ kind: 'converted', from: 'gif', to: 'png' }, { kind: 'first-frame-only' }]);
  });

  it('decodes a BMP and outputs PNG', async () => {
    const w = 3;
    const h = 2;
    const stride = 12;
    const bmp = Buffer.alloc(54 + stride * h);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(w, 18);
    bmp.writeInt32LE(h, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    bmp.fill(0xff, 54); // white
    bmp[54] = 0; // bottom-left pixel BGR = (0,0,255) → red... first byte blue
    bmp[55] = 0;
    bmp[56] = 255;
    const v = await run('scan.bmp', bmp);
    expect(v.verdict === 'sanitized' && v.output.name).toBe('scan.png');
    if (v.verdict !== 'sanitized') return;
    const { data } = await sharp(v.output.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(9, 12)]).toEqual([255, 0, 0]); // row 2 (bottom), pixel 0 is red
    expectBlocked(await run('cut.bmp', bmp.subarray(0, 60)), 'malformed');
  });
});

describe('sanitize: text and CSV', () => {
  it('outputs a Shift_JIS CSV as UTF-8 with BOM and neutralised formulas', async () => {
    const v = await run('患者一覧.csv', shiftJisCsv());
    expect(v.verdict).toBe('sanitized');
    if (v.verdict !== 'sanitized') return;
    expect(v.output).toMatchObject({ name: '患者一覧.csv', trueType: 'csv', mimeType: 'text/csv; charset=utf-8' });
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(v.output.bytes);
    expect(text.startsWith('\uFEFF氏名,メモ\r\n')).toBe(true);
    expect(text).toContain(`"'=cmd`);
    // What the download panel tells the user was done.
    expect(v.changes).toEqual([{ kind: 'text-reencoded', from: 'shift_jis' }, { kind: 'formulas-neutralised', count: 2 }]);
  });

  it('blocks HTML, whether named .html or disguised as .txt', async () => {
    const html = new TextEncoder().encode('<html><script>x()</script></html>');
    expectBlocked(await run('page.html', html), 'type-not-allowed');
    expectBlocked(await run('notice.txt', html), 'type-mismatch');
  });
});

describe('sanitize: office documents', () => {
  it('blocks a macro-enabled document by default', async () => {
    expectBlocked(await run('form.docm', await docm()), 'macro-document');
  });

  it('blocks a docx renamed to .docx that carries macros as type-mismatch', async () => {
    expectBlocked(await run('form.docx', await docm()), 'type-mismatch');
  });

  it('blocks Office with converter-unavailable when LibreOffice is missing', async () => {
    expectBlocked(await run('form.docx', await docx()), 'converter-unavailable');
  });

  it('blocks Office when the policy says block', async () => {
    expectBlocked(await run('form.docx', await docx(), fakeDeps(), parseFilePolicy({ office: 'block' })), 'blocked-by-policy');
  });
});

describe('sanitize: ZIP archives', () => {
  it('rebuilds a ZIP, sanitizing every member (Shift_JIS CSV → UTF-8, SVG → PNG)', async () => {
    const v = await run('docs.zip', await zipOf({ 'dir/list.csv': shiftJisCsv(), 'fig.svg': scriptedSvg(), 'empty/': new Uint8Array() }));
    expect(v.verdict).toBe('sanitized');
    if (v.verdict !== 'sanitized') return;
    const listed = listZip(v.output.bytes, 10);
    expect(listed.ok && listed.value.map((e) => e.name)).toEqual(['dir/list.csv', 'fig.png']);
    if (!listed.ok) return;
    const csv = readZipEntry(v.output.bytes, listed.value[0]!, 1e6);
    expect(csv.ok && [...csv.value.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('writes the rebuilt ZIP without a trace of when it was built (1980-01-01, no extra fields)', async () => {
    const v = await run('a.zip', await zipOf({ 'a.txt': 'hello' }));
    if (v.verdict !== 'sanitized') return expect.fail(v.verdict);
    const z = Buffer.from(v.output.bytes);
    const cd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    // DOS time 00:00:00, DOS date 1980-01-01, extra field length 0 (no extended timestamp).
    expect([z.readUInt16LE(cd + 12), z.readUInt16LE(cd + 14), z.readUInt16LE(cd + 30)]).toEqual([0, (1 << 5) | 1, 0]);
    expect([z.readUInt16LE(10), z.readUInt16LE(12), z.readUInt16LE(28)]).toEqual([0, (1 << 5) | 1, 0]);
  });

  it('blocks the archive when one member is not allowed, naming the member', async () => {
    const v = await run('tools.zip', await zipOf({ 'a.txt': 'ok', 'setup.exe': fakeExe() }));
    expectBlocked(v, 'type-not-allowed');
    expect(v.verdict === 'blocked' && v.detail).toContain('setup.exe');
  });

  it('blocks an encrypted ZIP', async () => {
    expectBlocked(await run('secret.zip', await encryptedZip()), 'encrypted');
  });

  it('blocks a ZIP bomb by expansion ratio', async () => {
    expectBlocked(await run('bomb.zip', zipBomb(20 * 1024 * 1024)), 'expansion-ratio');
  });

  it('blocks archives nested deeper than the policy allows', async () => {
    expect((await run('ok.zip', await nestedZip(2))).verdict).toBe('sanitized');
    expectBlocked(await run('deep.zip', await nestedZip(3)), 'archive-too-deep');
  });

  it('blocks too many members and path traversal', async () => {
    const many = await zipOf(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`${i}.txt`, 'x'])));
    expectBlocked(await run('many.zip', many, fakeDeps(), parseFilePolicy({ archive: { maxMembers: 5 } })), 'too-many-members');
    expectBlocked(await run('slip.zip', await zipOf({ '../../evil.txt': 'x' })), 'deceptive-name');
  });
});

describe('sanitize: verdict shape', () => {
  it('records the steps and never returns the input bytes', async () => {
    const input = await png();
    const v = await run('a.png', input);
    expect(v.verdict).toBe('sanitized');
    if (v.verdict !== 'sanitized') return;
    expect(v.steps.map((s) => s.stage)).toEqual(['name', 'type', 'scan', 'reconstruct', 'recheck', 'scan']);
    expect(v.output.bytes).not.toBe(input);
    expect(v.inputType).toBe('png');
  });
});
