import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { PDFDocument, PDFHexString, PDFName, PDFString, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import type { PDFRef } from 'pdf-lib';
import sharp from 'sharp';
import type { PageText } from './pdf-text-layer.js';
import { TEXT_FONT, buildRuns, identityToUnicodeCMap, textLayerOperators } from './pdf-text-layer.js';

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
  /**
   * A grey page a PDFium worker already packed (`bits` per sample, rows padded to a
   * byte, 0 = black) and Flate-compressed; `data` is then that stream, not raw pixels.
   */
  packedGreyBits?: 2 | 4;
  /** Text extracted from the page, for the invisible text layer (PDFium only). */
  text?: PageText;
  /** The renderer saw colour on the page (PDFium only): kept as a palette unless photographic. */
  colour?: boolean;
}

/** How a page was encoded, for the audit trail and the benchmark. */
export interface PageEncoding {
  kind: 'grey-flate' | 'palette-flate' | 'jpeg';
  bytes: number;
  /** Characters written to the page's invisible text layer (0: none). */
  textChars?: number;
}

interface EncodedPage {
  data: Buffer;
  dict: Record<string, string | number>;
  /** Indexed colour: the RGB palette and bits per index (PNG predictors on the data). */
  palette?: { colours: Buffer; bits: number };
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

function packedGrey(p: RawPage, bits: 2 | 4): EncodedPage {
  return {
    data: p.data,
    dict: { Type: 'XObject', Subtype: 'Image', Width: p.width, Height: p.height, ColorSpace: 'DeviceGray', BitsPerComponent: bits, Filter: 'FlateDecode' },
    kind: 'grey-flate',
  };
}

/**
 * Colour without photographs (coloured headings, tables, charts): up to 32 colours with
 * sharp (libimagequant), its PNG image data reused as a Flate stream with PNG predictors.
 * The PNG is sharp's own output, not input, so reading its chunks is safe.
 */
async function encodePalette(p: RawPage): Promise<EncodedPage> {
  const png = await sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } }).png({ palette: true, colours: 32, dither: 0, effort: 1, compressionLevel: 6 }).toBuffer();
  let palette: Buffer | null = null;
  let bits = 8;
  const idat: Buffer[] = [];
  for (let o = 8; o + 8 <= png.length; ) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const body = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      bits = body[8]!;
      if (body[9] !== 3) return encodeJpeg(p); // not indexed after all
    } else if (type === 'PLTE') palette = Buffer.from(body);
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'tRNS') return encodeJpeg(p); // no transparency expected; keep it simple
    o += 12 + len;
  }
  if (!palette || idat.length === 0) return encodeJpeg(p);
  return {
    data: Buffer.concat(idat),
    dict: { Type: 'XObject', Subtype: 'Image', Width: p.width, Height: p.height, BitsPerComponent: bits, Filter: 'FlateDecode' },
    palette: { colours: palette, bits },
    kind: 'palette-flate',
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
  private font: PDFRef | null = null;
  private constructor(private readonly doc: PDFDocument) {}

  /** A new, empty document with no metadata. */
  static async create(): Promise<PdfBuilder> {
    return new PdfBuilder(await PDFDocument.create({ updateMetadata: false }));
  }

  /**
   * Encode a page (text-like → 4-bit grey Flate, photographic → JPEG) and append it,
   * with an invisible text layer when `text` has characters worth keeping (pdf-text-layer.ts).
   */
  async addPage(p: RawPage, text: PageText | undefined = p.text): Promise<PageEncoding> {
    const enc = p.packedGreyBits ? packedGrey(p, p.packedGreyBits) : looksPhotographic(p) ? await encodeJpeg(p) : p.colour ? await encodePalette(p) : await encodeGrey(p);
    const ctx = this.doc.context;
    const stream = ctx.stream(enc.data, enc.dict);
    if (enc.palette) {
      const { colours, bits } = enc.palette;
      stream.dict.set(PDFName.of('ColorSpace'), ctx.obj([PDFName.of('Indexed'), PDFName.of('DeviceRGB'), colours.length / 3 - 1, PDFHexString.of(colours.toString('hex'))]));
      stream.dict.set(PDFName.of('DecodeParms'), ctx.obj({ Predictor: 15, Colors: 1, BitsPerComponent: bits, Columns: p.width }));
    }
    const ref = ctx.register(stream);
    const w = (p.width * 72) / p.dpi;
    const h = (p.height * 72) / p.dpi;
    const page = this.doc.addPage([w, h]);
    const name = page.node.newXObject('Im', ref);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(w, 0, 0, h, 0, 0), drawObject(name), popGraphicsState());
    let textChars = 0;
    const runs = text ? buildRuns(text) : [];
    const ops = textLayerOperators(runs);
    if (ops) {
      // Before the clean-up below: pdf-lib needs its normalised entries to add a stream.
      // Node's zlib (native) rather than pdf-lib's flateStream (JavaScript): this runs once per page on the main thread.
      const deflated = await deflateAsync(Buffer.from(ops, 'latin1'), { level: 6 });
      page.node.addContentStream(this.doc.context.register(this.doc.context.stream(deflated, { Filter: 'FlateDecode' })));
      textChars = runs.reduce((n, r) => n + r.chars.length, 0);
    }
    // pdf-lib normalises new pages with empty Annots, Font and ExtGState entries; drop them.
    page.node.delete(PDFName.of('Annots'));
    page.node.Resources()?.delete(PDFName.of('ExtGState'));
    if (ops) page.node.Resources()!.set(PDFName.of('Font'), this.doc.context.obj({ [TEXT_FONT]: this.textFont() }));
    else page.node.Resources()?.delete(PDFName.of('Font'));
    const e: PageEncoding = { kind: enc.kind, bytes: enc.data.length, textChars };
    this.encodings.push(e);
    return e;
  }

  /** The glyph-less Type0 font of the text layer, made once per document. */
  private textFont(): PDFRef {
    if (this.font) return this.font;
    const ctx = this.doc.context;
    const name = 'KekkaiGlyphless';
    const toUnicode = ctx.register(ctx.flateStream(identityToUnicodeCMap()));
    const descriptor = ctx.register(
      ctx.obj({ Type: 'FontDescriptor', FontName: name, Flags: 4, FontBBox: [0, -200, 1000, 800], ItalicAngle: 0, Ascent: 800, Descent: -200, CapHeight: 800, StemV: 80 }),
    );
    const cidFont = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: name,
        CIDSystemInfo: ctx.obj({ Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 }),
        FontDescriptor: descriptor,
        DW: 1000,
        CIDToGIDMap: 'Identity',
      }),
    );
    this.font = ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: name, Encoding: 'Identity-H', DescendantFonts: [cidFont], ToUnicode: toUnicode }));
    return this.font;
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
