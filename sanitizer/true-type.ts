import { fileTypeFromBuffer } from 'file-type';
import { classifyOle2, isOle2 } from './ole2.js';
import { controlRatio, decodeText } from './text-decoding.js';
import type { TrueType } from './type-table.js';
import { listZip, looksLikeZip, readZipEntry } from './zip-reader.js';

export type { TrueType } from './type-table.js';

/** What the bytes really are. */
export interface Detection {
  type: TrueType;
  /** VBA or ODF Basic macros present (Office types only). */
  macros: boolean;
  /** Password-protected container (OOXML EncryptedPackage, encrypted ZIP members). */
  encrypted: boolean;
  /** English detail, e.g. file-type's guess for `other`. */
  detail: string;
}

const detection = (type: TrueType, detail: string, extra: Partial<Detection> = {}): Detection => ({
  type,
  macros: false,
  encrypted: false,
  detail,
  ...extra,
});

const FILE_TYPE_MAP: Record<string, TrueType> = {
  pdf: 'pdf', jpg: 'jpeg', png: 'png', apng: 'png', gif: 'gif', webp: 'webp', bmp: 'bmp', tif: 'tiff', rtf: 'rtf',
};

/**
 * Detect the true type from the bytes alone (never the name or Content-Type):
 * file-type's magic numbers, our own look inside ZIP and OLE2 containers (OOXML vs
 * macro-enabled vs ODF; Word vs Excel vs PowerPoint vs MSI), and text/CSV/SVG sniffing.
 */
export async function detectTrueType(bytes: Uint8Array): Promise<Detection> {
  if (bytes.length === 0) return detection('other', 'empty file');
  if (looksLikeZip(bytes)) return inspectZip(bytes);
  if (isOle2(bytes)) return inspectOle2(bytes);
  const ft = await fileTypeFromBuffer(bytes);
  if (ft && ft.ext !== 'xml') {
    const mapped = FILE_TYPE_MAP[ft.ext];
    return mapped ? detection(mapped, `magic: ${ft.ext}`) : detection('other', `magic: ${ft.ext} (${ft.mime})`);
  }
  return sniffText(bytes);
}

function inspectOle2(bytes: Uint8Array): Detection {
  const k = classifyOle2(bytes);
  if (!k) return detection('other', 'malformed OLE2 compound file');
  if (k.kind === 'encrypted-package') return detection('other', 'password-protected Office document', { encrypted: true });
  if (k.kind === 'other') return detection('other', 'OLE2 compound file that is not Word/Excel/PowerPoint (e.g. MSI, MSG)');
  return detection(k.kind, `OLE2 ${k.kind}${k.macros ? ' with VBA' : ''}`, { macros: k.macros });
}

const OOXML_MAIN: [RegExp, TrueType][] = [
  [/ms-word\.(document|template)\.macroEnabled/i, 'docm'],
  [/ms-excel\.(sheet|template|addin)\.macroEnabled/i, 'xlsm'],
  [/ms-powerpoint\.(presentation|slideshow|template|addin)\.macroEnabled/i, 'pptm'],
  [/wordprocessingml\.(document|template)\.main\+xml/i, 'docx'],
  [/spreadsheetml\.(sheet|template)\.main\+xml/i, 'xlsx'],
  [/presentationml\.(presentation|slideshow|template)\.main\+xml/i, 'pptx'],
];
const MACRO_VARIANT: Partial<Record<TrueType, TrueType>> = { docx: 'docm', xlsx: 'xlsm', pptx: 'pptm' };
const ODF_TYPES: Record<string, TrueType> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

function inspectZip(bytes: Uint8Array): Detection {
  // Generous member limit: the archive limits proper are applied later by the ZIP stage.
  const listed = listZip(bytes, 100_000);
  if (!listed.ok) return detection('zip', `zip that cannot be listed: ${listed.block.detail}`);
  const entries = listed.value;
  const byName = new Map(entries.map((e) => [e.name, e]));
  const small = (name: string): string | null => {
    const e = byName.get(name);
    if (!e) return null;
    const r = readZipEntry(bytes, e, 1024 * 1024);
    return r.ok ? new TextDecoder().decode(r.value) : null;
  };
  const ct = small('[Content_Types].xml');
  if (ct !== null) {
    const hit = OOXML_MAIN.find(([re]) => re.test(ct));
    if (hit) {
      const vba = entries.some((e) => /(^|\/)vbaProject\.bin$/i.test(e.name));
      const type = vba ? (MACRO_VARIANT[hit[1]] ?? hit[1]) : hit[1];
      return detection(type, `OOXML ${type}`, { macros: type.endsWith('m') });
    }
  }
  const mimetype = small('mimetype')?.trim();
  const odf = mimetype ? ODF_TYPES[mimetype] : undefined;
  if (odf) {
    const macros = entries.some((e) => /^(Basic|Scripts)\//.test(e.name));
    return detection(odf, `ODF ${odf}${macros ? ' with macros' : ''}`, { macros });
  }
  return detection('zip', `zip with ${entries.length} entries`, { encrypted: entries.some((e) => e.encrypted) });
}

const HTML = /<(!doctype\s+html|html|head|body|script|iframe|meta|object|embed)\b/i;

function sniffText(bytes: Uint8Array): Detection {
  const decoded = decodeText(bytes);
  if (!decoded) return detection('other', 'binary data of unknown type');
  const head = decoded.text.slice(0, 4096);
  if (controlRatio(head) > 0.01) return detection('other', 'binary data that decodes as text');
  const body = head
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '')
    .trimStart();
  if (/^<svg[\s>]/.test(body)) return detection('svg', `SVG (${decoded.encoding})`);
  if (HTML.test(head)) return detection('other', 'HTML');
  if (/^<\?xml/.test(head.replace(/^\uFEFF/, '').trimStart())) return detection('other', 'XML');
  if (looksLikeCsv(decoded.text)) return detection('csv', `CSV (${decoded.encoding})`);
  return detection('text', `text (${decoded.encoding})`);
}

/** Two or more lines with the same non-zero number of commas (or tabs). */
function looksLikeCsv(text: string): boolean {
  const lines = text.slice(0, 16384).split(/\r?\n/).filter((l) => l.length > 0).slice(0, 20);
  if (lines.length < 2) return false;
  for (const sep of [',', '\t']) {
    const counts = lines.map((l) => l.split(sep).length - 1);
    if (counts[0]! > 0 && counts.filter((c) => c === counts[0]).length >= Math.ceil(lines.length * 0.8)) return true;
  }
  return false;
}
