import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import sharp from 'sharp';

/**
 * Build a new PDF from page pixels. pdf-lib only writes here; it never parses input.
 * Each page is one image XObject and nothing else: no text layer, fonts, JavaScript,
 * actions, annotations, attachments, forms, outlines or metadata (no Info dictionary,
 * no producer stamp, no dates).
 */

/** A rendered page and the resolution it was rendered at. */
export interface PageImage {
  /** PNG (or any sharp-decodable, trusted) image of the page. */
  image: Uint8Array | string;
  dpi: number;
}

/** How a page was encoded, for the audit trail and the benchmark. */
export interface PageEncoding {
  kind: 'grey-flate' | 'jpeg';
  bytes: number;
}

interface EncodedPage {
  width: number;
  height: number;
  data: Buffer;
  dict: Record<string, string | number>;
  kind: PageEncoding['kind'];
}

/**
 * Share of mid-tone pixels (neither paper nor ink) on a small grey copy, and whether
 * the page has noticeable colour. Text, tables and line art are mostly paper and ink.
 */
async function looksPhotographic(image: Uint8Array | string): Promise<boolean> {
  const { data, info } = await sharp(image).resize(256, 256, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let mid = 0;
  let colourful = 0;
  const n = info.width * info.height;
  for (let i = 0; i < data.length; i += info.channels) {
    const r = data[i]!;
    const g = data[i + 1] ?? r;
    const b = data[i + 2] ?? r;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    if (y > 48 && y < 208) mid++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 48) colourful++;
  }
  return mid / n > 0.25 || colourful / n > 0.02;
}

async function encodeGrey(image: Uint8Array | string): Promise<EncodedPage> {
  const { data, info } = await sharp(image).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const rowBytes = Math.ceil(info.width / 2);
  const packed = Buffer.alloc(rowBytes * info.height);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const v = data[y * info.width + x]! >> 4;
      const at = y * rowBytes + (x >> 1);
      packed[at] = x & 1 ? packed[at]! | v : v << 4;
    }
  }
  return {
    width: info.width,
    height: info.height,
    data: deflateSync(packed, { level: 6 }),
    dict: { Type: 'XObject', Subtype: 'Image', Width: info.width, Height: info.height, ColorSpace: 'DeviceGray', BitsPerComponent: 4, Filter: 'FlateDecode' },
    kind: 'grey-flate',
  };
}

async function encodeJpeg(image: Uint8Array | string): Promise<EncodedPage> {
  const { data, info } = await sharp(image).flatten({ background: '#ffffff' }).toColourspace('srgb').jpeg({ quality: 80, chromaSubsampling: '4:2:0' }).toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data,
    dict: { Type: 'XObject', Subtype: 'Image', Width: info.width, Height: info.height, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'DCTDecode' },
    kind: 'jpeg',
  };
}

/** Encode pages (text-like → 4-bit grey Flate, photographic → JPEG) into a new PDF. */
export async function buildPdfFromPages(pages: PageImage[]): Promise<{ pdf: Uint8Array; encodings: PageEncoding[] }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const encodings: PageEncoding[] = [];
  for (const page of pages) {
    const enc = (await looksPhotographic(page.image)) ? await encodeJpeg(page.image) : await encodeGrey(page.image);
    const ref = doc.context.register(doc.context.stream(enc.data, enc.dict));
    const w = (enc.width * 72) / page.dpi;
    const h = (enc.height * 72) / page.dpi;
    const pdfPage = doc.addPage([w, h]);
    const name = pdfPage.node.newXObject('Im', ref);
    pdfPage.pushOperators(pushGraphicsState(), concatTransformationMatrix(w, 0, 0, h, 0, 0), drawObject(name), popGraphicsState());
    // pdf-lib normalises new pages with empty Annots, Font and ExtGState entries; drop them.
    pdfPage.node.delete(PDFName.of('Annots'));
    pdfPage.node.Resources()?.delete(PDFName.of('Font'));
    pdfPage.node.Resources()?.delete(PDFName.of('ExtGState'));
    encodings.push({ kind: enc.kind, bytes: enc.data.length });
  }
  const pdf = await doc.save({ useObjectStreams: true, addDefaultPage: false });
  return { pdf, encodings };
}
