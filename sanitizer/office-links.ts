import { posix } from 'node:path';
import type { FilePolicy } from './file-policy.js';
import type { TrueType } from './type-table.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';
import { listZip, readZipEntry } from './zip-reader.js';
import { packZip } from './zip-sanitizer.js';

/**
 * Removes links to anything outside the document from ODF and OOXML files before
 * LibreOffice opens them: LibreOffice loads a linked image (or section, table, OLE
 * object, font) from a local path and renders it into the output — an .odt linking an
 * image under /usr/share did exactly that. The converter also runs where only its work
 * directory is visible (private-view.ts); this covers the formats we can rewrite, on
 * any host. Legacy binary formats (doc, xls, ppt, rtf) rely on the private view.
 *
 * What counts as a link:
 * - ODF: every attribute named `href` in any namespace prefix (xlink:href on images,
 *   frames, objects, sections, table sources, font faces, fills…), `form:image-data`,
 *   and DDE targets (`dde-application`, `dde-topic`, `dde-item`), unless the value is
 *   a plain path inside the package (`Pictures/x.png`, `./Object 1`) or `#anchor`.
 * - OOXML: every relationship with TargetMode="External", and every internal target
 *   that leaves the package (`../../…` above the root, or a URL with a scheme).
 * A DOCTYPE (and with it any entity declaration) is removed from every XML part.
 *
 * The XML is hostile: it is rewritten with regular expressions over attributes, never
 * parsed and re-serialised, so nothing we do not understand is added. An attribute
 * that cannot be judged is emptied.
 */

export interface LinkStripResult {
  bytes: Uint8Array;
  /** Links removed (0: the input bytes are returned unchanged). */
  removed: number;
}

const ODF = new Set<TrueType>(['odt', 'ods', 'odp']);
const OOXML = new Set<TrueType>(['docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm']);

const DOCTYPE = /<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/gi;
const ODF_LINK_ATTR = /(\s)((?:[\w.-]+:)?(?:href|image-data|dde-application|dde-topic|dde-item))(\s*=\s*)("[^"]*"|'[^']*')/g;
const RELATIONSHIP = /<(?:[\w.-]+:)?Relationship\b[^>]*>/g;
const TARGET_ATTR = /(\s)((?:[\w.-]+:)?Target)(\s*=\s*)("[^"]*"|'[^']*')/;
const EXTERNAL_MODE = /\s(?:[\w.-]+:)?TargetMode\s*=\s*["']\s*External\s*["']/i;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A plain path that stays inside the package, resolved against `base` (the directory
 * of the part that links). `/…` is package-absolute in OOXML but a file path in ODF.
 */
function staysInside(raw: string, base: string, allowAbsolute: boolean): boolean {
  if (raw === '' || raw.startsWith('#')) return !/[&<\\]/.test(raw);
  if (/[&\\]/.test(raw) || SCHEME.test(raw) || raw.startsWith('//')) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return false;
  }
  if (/[\\\0]/.test(decoded) || SCHEME.test(decoded)) return false;
  if (decoded.startsWith('/') && !allowAbsolute) return false;
  const stack = decoded.startsWith('/') ? [] : base.split('/').filter((p) => p && p !== '.');
  for (const seg of decoded.split('/')) {
    if (seg === '..') {
      if (stack.length === 0) return false;
      stack.pop();
    } else if (seg && seg !== '.') {
      stack.push(seg);
    }
  }
  return true;
}

function stripOdfXml(xml: string): { xml: string; removed: number } {
  let removed = 0;
  const out = xml.replace(DOCTYPE, () => (removed++, '')).replace(ODF_LINK_ATTR, (all, sp: string, name: string, eq: string, quoted: string) => {
    const value = quoted.slice(1, -1);
    const isPath = /(?:^|:)(?:href|image-data)$/.test(name);
    if (isPath && staysInside(value, '', false)) return all;
    if (value === '') return all;
    removed++;
    return `${sp}${name}${eq}""`;
  });
  return { xml: out, removed };
}

/** `word/_rels/document.xml.rels` → targets are relative to `word/`. */
function relsBase(relsPath: string): string {
  return posix.dirname(posix.dirname(relsPath));
}

function stripRels(xml: string, relsPath: string): { xml: string; removed: number } {
  let removed = 0;
  const base = relsBase(relsPath);
  const out = xml.replace(DOCTYPE, () => (removed++, '')).replace(RELATIONSHIP, (el) => {
    const target = TARGET_ATTR.exec(el);
    if (!target) return el;
    const value = target[4]!.slice(1, -1);
    if (!EXTERNAL_MODE.test(el) && staysInside(value, base, true)) return el;
    removed++;
    return el.replace(TARGET_ATTR, `$1$2$3"about:blank"`);
  });
  return { xml: out, removed };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(data: Uint8Array): string | null {
  let text: string;
  try {
    text = strictUtf8.decode(data);
  } catch {
    return null;
  }
  if (text.includes('\0')) return null;
  const declared = /^\uFEFF?<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  return declared === undefined || /^utf-?8$/i.test(declared) ? text : null;
}

/**
 * The document without external links, or the input unchanged when it has none or is
 * not an ODF/OOXML type. Refuses what cannot be read within the archive limits.
 */
export async function stripExternalLinks(bytes: Uint8Array, type: TrueType, policy: Pick<FilePolicy, 'archive'>): Promise<Outcome<LinkStripResult>> {
  const odf = ODF.has(type);
  if (!odf && !OOXML.has(type)) return pass({ bytes, removed: 0 });
  const listed = listZip(bytes, Math.max(policy.archive.maxMembers, 10_000));
  if (!listed.ok) return listed;
  let removed = 0;
  let total = 0;
  const members: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const e of listed.value) {
    if (e.isDirectory) continue;
    if (e.isSpecial || e.encrypted) return refuse(e.encrypted ? 'encrypted' : 'malformed', `${type}: member ${e.name} is ${e.encrypted ? 'encrypted' : 'not a regular file'}`);
    const r = readZipEntry(bytes, e, policy.archive.maxTotalBytes - total);
    if (!r.ok) return r;
    total += r.value.byteLength;
    let data = r.value;
    const isRels = !odf && e.name.endsWith('.rels');
    if (isRels || (odf && e.name.endsWith('.xml'))) {
      // Only UTF-8 parts can be judged here; another encoding would hide links from the patterns.
      const text = utf8(data);
      if (text === null) return refuse('malformed', `${type}: XML part ${e.name} is not UTF-8`);
      const s = isRels ? stripRels(text, e.name) : stripOdfXml(text);
      if (s.removed > 0) {
        removed += s.removed;
        data = new TextEncoder().encode(s.xml);
      }
    }
    members.push({ name: e.name, bytes: data });
  }
  if (removed === 0) return pass({ bytes, removed: 0 });
  // ODF wants `mimetype` first; packZip keeps the order given.
  return pass({ bytes: await packZip(members), removed });
}
