import type { OfficeConverter } from '../../../sanitizer/office-converter.js';
import type { PdfRasterizer } from '../../../sanitizer/pdf-rasterizer.js';
import type { SanitizerDeps } from '../../../sanitizer/pipeline.js';
import type { ScanResult, Scanner } from '../../../sanitizer/scanner.js';

/** A scanner that answers from a function and remembers what it saw. */
export class FakeScanner implements Scanner {
  readonly seen: Uint8Array[] = [];
  constructor(private readonly answer: (bytes: Uint8Array, call: number) => ScanResult | Promise<ScanResult> = () => ({ status: 'clean' })) {}
  async scan(bytes: Uint8Array): Promise<ScanResult> {
    this.seen.push(bytes);
    return this.answer(bytes, this.seen.length);
  }
}

/** A rasterizer that must not be reached in unit tests. */
export const unreachableRasterizer: PdfRasterizer = {
  rasterize: () => Promise.reject(new Error('rasterizer must not run in this test')),
};

/** Deps with a fake scanner and no converter. */
export function fakeDeps(scanner: Scanner = new FakeScanner(), officeConverter: OfficeConverter | null = null): SanitizerDeps {
  return { scanner, rasterizer: unreachableRasterizer, officeConverter };
}
