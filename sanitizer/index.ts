/**
 * kekkai's file sanitizer: true-type detection, limits, antivirus and reconstruction.
 * The gateway and the CLI use {@link sanitize} with {@link createDefaultDeps}.
 */
import { ClamdScanner } from './clamd-scanner.js';
import { LibreOfficeConverter, findLibreOffice } from './office-converter.js';
import { PopplerRasterizer } from './pdf-rasterizer.js';
import { PdfiumRasterizer } from './pdfium-rasterizer.js';
import type { SanitizerDeps } from './pipeline.js';

export { sanitize } from './pipeline.js';
export type { SanitizeInput, SanitizerDeps } from './pipeline.js';
export type { BlockedVerdict, Change, SanitizedFile, SanitizedVerdict, Stage, Step, Verdict } from './verdict.js';
export { REASONS, REASON_CODES, reasonMessage } from './reasons.js';
export type { ReasonCode } from './reasons.js';
export { DEFAULT_FILE_POLICY, TYPE_GROUPS, filePolicySchema, parseFilePolicy } from './file-policy.js';
export type { FilePolicy, FilePolicyInput, TypeGroup } from './file-policy.js';
export { TRUE_TYPES, TYPE_INFO } from './type-table.js';
export type { TrueType } from './type-table.js';
export { detectTrueType } from './true-type.js';
export type { Detection } from './true-type.js';
export type { ScanResult, Scanner } from './scanner.js';
export { ClamdScanner } from './clamd-scanner.js';
export type { ClamdOptions } from './clamd-scanner.js';
export { PopplerRasterizer } from './pdf-rasterizer.js';
export type { PdfRasterizer, PdfRemovedItems, RasterizeOptions, RasterizedPdf } from './pdf-rasterizer.js';
export { PdfiumRasterizer } from './pdfium-rasterizer.js';
export type { PdfiumOptions } from './pdfium-rasterizer.js';
export { LibreOfficeConverter, findLibreOffice } from './office-converter.js';
export type { ConvertOptions, OfficeConverter } from './office-converter.js';
export { networkIsolationPrefix } from './limited-process.js';

/** Options for {@link createDefaultDeps}. */
export interface DefaultDepsOptions {
  /** clamd address: `/path/to/socket` or `host:port` (KEKKAI_CLAMD, read by the caller). */
  clamdAddress: string;
  scanTimeoutMs?: number;
  /** Parent directory for worker scratch directories. */
  tmpDir?: string;
  /** Where to look for `soffice`; default: the usual Debian and /opt paths. */
  sofficeCandidates?: string[];
  /** PDF page renderer (KEKKAI_PDF_RENDERER, read by the caller); default pdfium. */
  pdfRenderer?: 'pdfium' | 'poppler';
}

/** The production engines: clamd (INSTREAM through the `clamscan` package), PDFium (or poppler), and LibreOffice when installed. */
export async function createDefaultDeps(o: DefaultDepsOptions): Promise<SanitizerDeps> {
  const soffice = await findLibreOffice(o.sofficeCandidates);
  const deps: SanitizerDeps = {
    scanner: new ClamdScanner({ address: o.clamdAddress, timeoutMs: o.scanTimeoutMs ?? 60_000 }),
    rasterizer: o.pdfRenderer === 'poppler' ? new PopplerRasterizer() : new PdfiumRasterizer(),
    officeConverter: soffice ? new LibreOfficeConverter(soffice) : null,
  };
  if (o.tmpDir !== undefined) deps.tmpDir = o.tmpDir;
  return deps;
}
