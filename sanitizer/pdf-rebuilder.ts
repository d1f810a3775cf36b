import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { PDFDocument, PDFName, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import sharp from 'sharp';

/**
 * Build a new PDF from page pixels. pdf-lib only writes here; it never parses input.
 * Each page is one image XObject and nothing else: no text layer, fonts, JavaScript,
 * actions, annotations, attachments, forms, outlines or metadata (no Info dictionary,
 * no producer stamp, no dates).
 */

const deflateAsync = promisify(deflate);

/** Raw page pixels (grey or RGB, top row first) and the resolution they represent. */
export interface RawPage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
  dpi: number;
}

/** How a page was encoded, for the audit trail and the benchmark. */
export interface PageEncoding {
  kind: 'grey-flate' | 'jpeg';
  bytes: number;
}

interface EncodedPage {
  data: Buffer;
  dict: Record<string, string | number>;
  kind: PageEncoding['kind'];
}

/**
 * Share of mid-tone pixels (neither paper nor ink) and of clearly coloured pixels, on
 * every 4th pixel of every 4th row. Text, tables and line art are paper and ink.
 */
export function looksPhotographic(p: RawPage): boolean {
  let mid = 0;
  let colourful = 0;
  let n = 0;
  for (let y = 0; y < p.height; y += 4) {
    for (let x = 0; x < p.width; x += 4) {
      const i = (y * p.width + x) * p.channels;
      const r = p.data[i]!;
      const g = p.channels === 3 ? p.data[i + 1]! : r;
      const b = p.channels === 3 ? p.data[i + 2]! : r;
      const lum = (r * 77 + g * 150 + b * 29) >> 8;
      if (lum > 48 && lum < 208) mid++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 48) colourful++;
      n++;
    }
  }
  return n > 0 && (mid / n > 0.25 || colourful / n > 0.02);
}

/** 4-bit grey (16 levels are plenty for anti-aliased text), Flate-compressed. */
async function encodeGrey(p: RawPage): Promise<EncodedPage> {
  const rowBytes = (p.width + 1) >> 1;
  const packed = Buffer.alloc(rowBytes * p.height);
  const { data, width, channels } = p;
  for (let y = 0; y < p.height; y++) {
    let src = y * width * channels;
    let dst = y * rowBytes;
    for (let x = 0; x < width; x++, src += channels) {
      const lum = channels === 3 ? (data[src]! * 77 + data[src + 1]! * 150 + data[src + 2]! * 29) >> 8 : data[src]!;
      if (x & 1) packed[dst++]! |= lum >> 4;
      else packed[dst] = lum & 0xf0;
    }
  }
  return {
    data: await deflateAsync(packed, { level: 6 }),
    dict: { Type: 'XObject', Subtype: 'Image', Width: p.width, Height: p.height, ColorSpace: 'DeviceGray', BitsPerComponent: 4, Filter: 'FlateDecode' },
    kind: 'grey-flate',
  };
}

async function encodeJpeg(p: RawPage): Promise<EncodedPage> {
  const data = await sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } }).toColourspace('srgb').jpeg({ quality: 80 }).toBuffer();
  return {
    data,
    dict: { Type: 'XObject', Subtype: 'Image', Width: p.width, Height: p.height, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'DCTDecode' },
    kind: 'jpeg',
  };
}

/** Incremental builder: add pages as they are rendered, then save. */
export class PdfBuilder {
  readonly encodings: PageEncoding[] = [];
  private constructor(private readonly doc: PDFDocument) {}

  /** A new, empty document with no metadata. */
  static async create(): Promise<PdfBuilder> {
    return new PdfBuilder(await PDFDocument.create({ updateMetadata: false }));
  }

  /** Encode a page (text-like → 4-bit grey Flate, photographic → JPEG) and append it. */
  async addPage(p: RawPage): Promise<PageEncoding> {
    const enc = looksPhotographic(p) ? await encodeJpeg(p) : await encodeGrey(p);
    const ref = this.doc.context.register(this.doc.context.stream(enc.data, enc.dict));
    const w = (p.width * 72) / p.dpi;
    const h = (p.height * 72) / p.dpi;
    const page = this.doc.addPage([w, h]);
    const name = page.node.newXObject('Im', ref);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(w, 0, 0, h, 0, 0), drawObject(name), popGraphicsState());
    // pdf-lib normalises new pages with empty Annots, Font and ExtGState entries; drop them.
    page.node.delete(PDFName.of('Annots'));
    page.node.Resources()?.delete(PDFName.of('Font'));
    page.node.Resources()?.delete(PDFName.of('ExtGState'));
    const e = { kind: enc.kind, bytes: enc.data.length };
    this.encodings.push(e);
    return e;
  }

  /** Serialise the document. */
  async save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: true, addDefaultPage: false });
  }
}

/** Decode a trusted image (e.g. a TIFF page already decoded by sharp) to a {@link RawPage}. */
export async function rawPageFromImage(image: sharp.Sharp, dpi: number): Promise<RawPage> {
  const { data, info } = await image.flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels === 1 ? 1 : 3, dpi };
}
