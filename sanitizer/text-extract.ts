/**
 * The text inside a file, for the leak guard's upload check (docs/leak-guard.md):
 * plain text and CSV decoded (UTF-8, Shift_JIS, UTF-16), PDF through poppler's
 * `pdftotext` in a limited process, OOXML and ODF documents from their XML parts
 * (cell values, shared strings, paragraphs, slides), legacy binary Office and RTF
 * converted to PDF by LibreOffice first. Images and other types carry no text we
 * read (`none`). A file that should have text but cannot be read — encrypted,
 * damaged, over the limits — is `unreadable`, and the caller refuses it (fail closed).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLimited } from './limited-process.js';
import type { OfficeConverter } from './office-converter.js';
import { decodeText } from './text-decoding.js';
import { detectTrueType, type TrueType } from './true-type.js';
import { listZip, readZipEntry } from './zip-reader.js';

export type ExtractedText = { kind: 'text'; text: string; type: TrueType } | { kind: 'none'; type: TrueType } | { kind: 'unreadable'; type: TrueType; detail: string };

export interface ExtractOptions {
  /** Parent of a private work directory made (and removed) per file. */
  workRoot: string;
  timeoutMs: number;
  memoryBytes: number;
  /** For doc, xls, ppt, rtf; without one they are unreadable. */
  office?: OfficeConverter | null;
  /** Most characters returned (the rest is not read). */
  maxChars?: number;
}

const MAX_XML_BYTES = 64 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 5000;
const DEFAULT_MAX_CHARS = 5_000_000;

/** XML parts that carry a document's text, by container type. */
const TEXT_PARTS: Array<{ types: TrueType[]; part: RegExp }> = [
  { types: ['docx', 'docm'], part: /^word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/ },
  { types: ['xlsx', 'xlsm'], part: /^xl\/(sharedStrings\.xml|worksheets\/sheet\d+\.xml|comments\d*\.xml)$/ },
  { types: ['pptx', 'pptm'], part: /^ppt\/(slides\/slide\d+|notesSlides\/notesSlide\d+)\.xml$/ },
  { types: ['odt', 'ods', 'odp'], part: /^(content|styles)\.xml$/ },
];

/** ZIP archives are opened this deep (a ZIP in a ZIP is read; one more level is unreadable). */
const MAX_ARCHIVE_DEPTH = 2;

export async function extractText(bytes: Uint8Array, o: ExtractOptions, depth = 0): Promise<ExtractedText> {
  const detected = await detectTrueType(bytes);
  const type = detected.type;
  const maxChars = o.maxChars ?? DEFAULT_MAX_CHARS;
  if (detected.encrypted) return { kind: 'unreadable', type, detail: 'encrypted' };
  if (type === 'text' || type === 'csv' || type === 'svg') {
    const decoded = decodeText(bytes);
    return decoded ? { kind: 'text', type, text: decoded.text.slice(0, maxChars) } : { kind: 'unreadable', type, detail: 'undecodable text' };
  }
  const parts = TEXT_PARTS.find((p) => p.types.includes(type));
  if (parts) return fromXmlParts(bytes, type, parts.part, maxChars);
  if (type === 'pdf') return fromPdf(bytes, type, o, maxChars);
  if (type === 'zip') return fromArchive(bytes, o, depth, maxChars);
  if (type === 'doc' || type === 'xls' || type === 'ppt' || type === 'rtf') {
    if (!o.office) return { kind: 'unreadable', type, detail: 'no office converter' };
    const dir = await mkdtemp(join(o.workRoot, 'leak-'));
    try {
      const converted = await o.office.convert(bytes, type, { workDir: dir, timeoutMs: o.timeoutMs, memoryBytes: o.memoryBytes });
      if (!converted.ok) return { kind: 'unreadable', type, detail: converted.block.detail };
      return fromPdf(converted.value.pdf, type, o, maxChars);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { kind: 'none', type };
}

function fromXmlParts(bytes: Uint8Array, type: TrueType, part: RegExp, maxChars: number): ExtractedText {
  const listed = listZip(bytes, MAX_ZIP_ENTRIES);
  if (!listed.ok) return { kind: 'unreadable', type, detail: listed.block.detail };
  let budget = MAX_XML_BYTES;
  const texts: string[] = [];
  let length = 0;
  for (const entry of listed.value) {
    if (entry.isDirectory || !part.test(entry.name)) continue;
    const read = readZipEntry(bytes, entry, budget);
    if (!read.ok) return { kind: 'unreadable', type, detail: read.block.detail };
    budget -= read.value.byteLength;
    const text = xmlText(Buffer.from(read.value).toString('utf8'));
    texts.push(text);
    length += text.length;
    if (length >= maxChars) break;
  }
  return { kind: 'text', type, text: texts.join('\n').slice(0, maxChars) };
}

/** Every member's text; one unreadable member makes the archive unreadable. */
async function fromArchive(bytes: Uint8Array, o: ExtractOptions, depth: number, maxChars: number): Promise<ExtractedText> {
  const type: TrueType = 'zip';
  if (depth >= MAX_ARCHIVE_DEPTH) return { kind: 'unreadable', type, detail: 'archive nested too deep' };
  const listed = listZip(bytes, MAX_ZIP_ENTRIES);
  if (!listed.ok) return { kind: 'unreadable', type, detail: listed.block.detail };
  let budget = MAX_XML_BYTES;
  const texts: string[] = [];
  for (const entry of listed.value) {
    if (entry.isDirectory) continue;
    if (entry.isSpecial) return { kind: 'unreadable', type, detail: `special member ${entry.name}` };
    const read = readZipEntry(bytes, entry, budget);
    if (!read.ok) return { kind: 'unreadable', type, detail: read.block.detail };
    budget -= read.value.byteLength;
    const inner = await extractText(read.value, { ...o, maxChars }, depth + 1);
    if (inner.kind === 'unreadable') return { kind: 'unreadable', type, detail: `${entry.name}: ${inner.detail}` };
    if (inner.kind === 'text') texts.push(inner.text);
  }
  return { kind: 'text', type, text: texts.join('\n').slice(0, maxChars) };
}

/** The character data of an XML document, one space between elements, entities decoded. */
export function xmlText(xml: string): string {
  return xml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? ' ';
    })
    .replace(/\s+/g, ' ');
}

async function fromPdf(bytes: Uint8Array, type: TrueType, o: ExtractOptions, maxChars: number): Promise<ExtractedText> {
  const dir = await mkdtemp(join(o.workRoot, 'leak-'));
  try {
    await writeFile(join(dir, 'in.pdf'), bytes, { mode: 0o600 });
    const r = await runLimited({
      command: 'pdftotext',
      args: ['-q', '-enc', 'UTF-8', 'in.pdf', 'out.txt'],
      cwd: dir,
      timeoutMs: o.timeoutMs,
      memoryBytes: o.memoryBytes,
      maxFileBytes: 64 * 1024 * 1024,
      privateView: true,
    });
    if (!r.ok) return { kind: 'unreadable', type, detail: `pdftotext: ${r.kind} ${r.detail}` };
    const text = await readFile(join(dir, 'out.txt'), 'utf8').catch(() => null);
    return text === null ? { kind: 'unreadable', type, detail: 'pdftotext wrote nothing' } : { kind: 'text', type, text: text.slice(0, maxChars) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
