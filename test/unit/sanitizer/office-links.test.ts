import { describe, expect, it } from 'vitest';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { stripExternalLinks } from '../../../sanitizer/office-links.js';
import { listZip, readZipEntry } from '../../../sanitizer/zip-reader.js';
import { zipOf } from '../../fixtures/sanitizer/hostile-files.js';

const policy = parseFilePolicy({});

function member(zip: Uint8Array, name: string): string {
  const listed = listZip(zip, 100);
  if (!listed.ok) throw new Error(listed.block.detail);
  const e = listed.value.find((x) => x.name === name)!;
  const r = readZipEntry(zip, e, 1e6);
  if (!r.ok) throw new Error(r.block.detail);
  return new TextDecoder().decode(r.value);
}

const odt = (content: string): Promise<Uint8Array> =>
  zipOf({ mimetype: 'application/vnd.oasis.opendocument.text', 'META-INF/manifest.xml': '<manifest:manifest/>', 'content.xml': content });

describe('stripExternalLinks (issue 9, item 13)', () => {
  it('empties ODF links to local files, whatever the namespace prefix, and keeps package-internal ones', async () => {
    const content = [
      '<?xml version="1.0" encoding="UTF-8"?><office:document-content>',
      '<draw:image xlink:href="file:///usr/share/pixmaps/debian-logo.png"/>',
      "<draw:image x:href='/etc/kekkai/secret.png'/>",
      '<draw:image xlink:href="../../../../var/lib/kekkai/x.png"/>',
      '<draw:image xlink:href="..%2F..%2Fetc%2Fpasswd"/>',
      '<text:section-source xlink:href="file:///etc/passwd"/>',
      '<text:dde-connection-decl office:dde-application="soffice" office:dde-topic="/etc/passwd"/>',
      '<draw:image xlink:href="Pictures/1000.png"/><draw:object xlink:href="./Object 1"/><text:a xlink:href="#top">x</text:a>',
      '</office:document-content>',
    ].join('');
    const r = await stripExternalLinks(await odt(content), 'odt', policy);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.removed).toBe(7);
    const out = member(r.value.bytes, 'content.xml');
    expect(out).not.toMatch(/usr\/share|etc|var\/lib|%2F/);
    expect(out).toContain('xlink:href="Pictures/1000.png"');
    expect(out).toContain('xlink:href="./Object 1"');
    expect(out).toContain('xlink:href="#top"');
    expect(member(r.value.bytes, 'mimetype')).toBe('application/vnd.oasis.opendocument.text');
  });

  it('removes a DOCTYPE with entity declarations', async () => {
    const r = await stripExternalLinks(await odt('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><office:document-content>&e;</office:document-content>'), 'odt', policy);
    expect(r.ok && member(r.value.bytes, 'content.xml')).toBe('<office:document-content>&e;</office:document-content>');
  });

  it('blanks external and escaping OOXML relationship targets and keeps the package ones', async () => {
    const rels = [
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
      '<Relationship Id="r1" Type="http://x/image" Target="file:///C:/secret.png" TargetMode="External"/>',
      "<Relationship Id='r2' Type='http://x/image' TargetMode='External' Target='\\\\server\\share\\x.png'/>",
      '<Relationship Id="r3" Type="http://x/image" Target="../../../etc/passwd"/>',
      '<Relationship Id="r4" Type="http://x/image" Target="media/image1.png"/>',
      '<Relationship Id="r5" Type="http://x/chart" Target="/word/charts/chart1.xml"/>',
      '</Relationships>',
    ].join('');
    const docx = await zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>', 'word/_rels/document.xml.rels': rels });
    const r = await stripExternalLinks(docx, 'docx', policy);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.removed).toBe(3);
    const out = member(r.value.bytes, 'word/_rels/document.xml.rels');
    expect(out).not.toMatch(/secret|server|passwd/);
    expect(out).toContain('Target="media/image1.png"');
    expect(out).toContain('Target="/word/charts/chart1.xml"');
  });

  it('refuses XML parts it cannot read as UTF-8, and leaves other types alone', async () => {
    const utf16 = await zipOf({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': new Uint8Array([0xff, 0xfe, 0x3c, 0x00]) });
    expect(await stripExternalLinks(utf16, 'odt', policy)).toMatchObject({ ok: false, block: { reason: 'malformed' } });
    const doc = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]);
    expect(await stripExternalLinks(doc, 'doc', policy)).toEqual({ ok: true, value: { bytes: doc, removed: 0 } });
  });
});
