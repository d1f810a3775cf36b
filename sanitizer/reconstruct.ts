import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FilePolicy } from './file-policy.js';
import { rasterizeSvg, rebuildImage } from './image-sanitizer.js';
import type { OfficeConverter } from './office-converter.js';
import { stripExternalLinks } from './office-links.js';
import type { PdfRasterizer } from './pdf-rasterizer.js';
import { PdfBuilder } from './pdf-rebuilder.js';
import { rebuildSpreadsheet, wantsXlsx } from './spreadsheet-sanitizer.js';
import { rebuildCsv, rebuildText } from './text-sanitizer.js';
import type { Detection } from './true-type.js';
import { TYPE_INFO } from './type-table.js';
import type { TrueType } from './type-table.js';
import type { Change, Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** The engines reconstruction needs. */
export interface ReconstructDeps {
  rasterizer: PdfRasterizer;
  /** null when LibreOffice is not installed: Office files are then blocked. */
  officeConverter: OfficeConverter | null;
  /** Parent of the private per-job work directories (default: the OS temp dir). */
  tmpDir?: string;
}

/** A rebuilt file and what was done to it. */
export interface Rebuilt {
  bytes: Uint8Array;
  type: TrueType;
  detail: string;
  /** What was done, for the user. */
  changes: Change[];
}

async function withWorkDir<T>(deps: ReconstructDeps, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'kekkai-sanitize-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** PDF → pixels in a worker → new PDF. */
export async function rebuildPdf(pdf: Uint8Array, policy: FilePolicy, deps: ReconstructDeps): Promise<Outcome<Rebuilt>> {
  return withWorkDir(deps, async (workDir) => {
    const builder = await PdfBuilder.create();
    const r = await deps.rasterizer.rasterize(
      pdf,
      {
        workDir,
        dpi: policy.pdfDpi,
        maxPages: policy.maxPages,
        maxPixels: policy.maxPixels,
        timeoutMs: policy.timeouts.renderMs,
        memoryBytes: policy.workerMemoryMb * 1024 * 1024,
      },
      async (page) => {
        await builder.addPage(page);
      },
    );
    if (!r.ok) return r;
    const out = await builder.save();
    const jpeg = builder.encodings.filter((e) => e.kind === 'jpeg').length;
    const palette = builder.encodings.filter((e) => e.kind === 'palette-flate').length;
    const n = builder.encodings.length;
    const textPages = builder.encodings.filter((e) => (e.textChars ?? 0) > 0).length;
    const rendered: Change = { kind: 'rendered-as-images', pages: n };
    if (textPages > 0) rendered.textLayerPages = textPages;
    const changes: Change[] = [rendered];
    const rm = r.value.removed;
    if (rm && (rm.javascript || rm.attachments || rm.annotations || rm.form)) changes.push({ kind: 'pdf-content-removed', ...rm });
    const removedText = rm ? `; left out: ${rm.javascript} JavaScript, ${rm.attachments} attachment(s), ${rm.annotations} annotation(s), form ${rm.form ? 'yes' : 'no'}` : '';
    return pass({
      bytes: out,
      type: 'pdf',
      changes,
      detail: `${n} page(s) rendered at ${r.value.dpi} dpi (${n - jpeg - palette} grey/Flate, ${palette ? `${palette} palette/Flate, ` : ''}${jpeg} JPEG), text layer on ${textPages} page(s)${removedText} [${r.value.isolation}]`,
    });
  });
}

async function convertOffice(bytes: Uint8Array, det: Detection, policy: FilePolicy, deps: ReconstructDeps): Promise<Outcome<Rebuilt>> {
  const macro = det.macros || TYPE_INFO[det.type].macro === true;
  const action = macro ? policy.macroOffice : policy.office;
  if (action === 'block') return refuse(macro ? 'macro-document' : 'blocked-by-policy', `${det.type}: policy action is block`);
  if (!deps.officeConverter) return refuse('converter-unavailable', `${det.type}: LibreOffice is not installed`);
  const converter = deps.officeConverter;
  // Links to local files must not be followed by LibreOffice (see office-links.ts).
  const unlinked = await stripExternalLinks(bytes, det.type, policy);
  if (!unlinked.ok) return unlinked;
  const converted = await withWorkDir(deps, (workDir) =>
    converter.convert(unlinked.value.bytes, det.type, { workDir, timeoutMs: policy.timeouts.convertMs, memoryBytes: policy.workerMemoryMb * 1024 * 1024 }),
  );
  if (!converted.ok) return converted;
  const pdf = await rebuildPdf(converted.value.pdf, policy, deps);
  if (!pdf.ok) return pdf;
  const links = unlinked.value.removed ? `${unlinked.value.removed} external link(s) removed, ` : '';
  const changes: Change[] = [{ kind: 'converted', from: det.type, to: 'pdf' }];
  if (unlinked.value.removed) changes.push({ kind: 'links-removed', count: unlinked.value.removed });
  return pass({
    ...pdf.value,
    changes: [...changes, ...pdf.value.changes],
    detail: `${det.type} ${links}converted to PDF by LibreOffice [${converted.value.isolation}]; ${pdf.value.detail}`,
  });
}

/**
 * Rebuild a file of an allowed true type (archives are handled by the pipeline).
 * @param ext the name's extension, which picks CSV vs TSV handling of text.
 */
export async function reconstruct(bytes: Uint8Array, det: Detection, ext: string, policy: FilePolicy, deps: ReconstructDeps): Promise<Outcome<Rebuilt>> {
  // Spreadsheets the policy wants editable become a new .xlsx (spreadsheet-sanitizer.ts).
  if (wantsXlsx(det, ext, policy)) return rebuildSpreadsheet(bytes, det, ext, policy, deps);
  const limits = { maxPixels: policy.maxPixels, maxPages: policy.maxPages, timeoutMs: policy.timeouts.imageMs };
  switch (det.type) {
    case 'pdf':
      return rebuildPdf(bytes, policy, deps);
    case 'jpeg':
    case 'png':
    case 'gif':
    case 'webp':
    case 'tiff':
    case 'bmp':
      return withImageChanges(det.type, await rebuildImage(bytes, det.type, limits));
    case 'svg':
      return withImageChanges(det.type, await rasterizeSvg(bytes, limits));
    case 'text':
    case 'csv': {
      // A CSV-looking .txt stays plain text; a .csv/.tsv (or nameless CSV) gets formula neutralisation.
      const asCsv = ext === 'csv' || ext === 'tsv' || (ext === '' && det.type === 'csv');
      const r = asCsv ? rebuildCsv(bytes, ext) : rebuildText(bytes);
      if (!r.ok) return r;
      const changes: Change[] = /^utf-?8$/i.test(r.value.encoding) ? [] : [{ kind: 'text-reencoded', from: r.value.encoding }];
      if (r.value.neutralized) changes.push({ kind: 'formulas-neutralised', count: r.value.neutralized });
      return pass({ bytes: r.value.bytes, type: asCsv ? 'csv' : 'text', detail: r.value.detail, changes });
    }
    default:
      if (TYPE_INFO[det.type].group === 'office') return convertOffice(bytes, det, policy, deps);
      return refuse('type-not-allowed', `no reconstruction for ${det.type}`);
  }
}

/** An image rebuilt as the same type was re-encoded; as another type, converted (a GIF keeps its first frame). */
function withImageChanges(from: TrueType, r: Outcome<{ bytes: Uint8Array; type: TrueType; detail: string }>): Outcome<Rebuilt> {
  if (!r.ok) return r;
  const changes: Change[] = r.value.type === from ? [{ kind: 'image-reencoded' }] : [{ kind: 'converted', from, to: r.value.type }];
  if (from === 'gif') changes.push({ kind: 'first-frame-only' });
  return pass({ ...r.value, changes });
}
