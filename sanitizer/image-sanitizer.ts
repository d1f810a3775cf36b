import sharp from 'sharp';
import { decodeBmp } from './bmp-decoder.js';
import { PdfBuilder, rawPageFromImage } from './pdf-rebuilder.js';
import type { TrueType } from './type-table.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/**
 * Image reconstruction with sharp/libvips: decode (pixel limit, truncated or corrupt
 * input refused), apply EXIF orientation, drop all metadata (EXIF, XMP, IPTC, ICC,
 * comments) and encode a fresh file. GIF keeps its first frame only; multi-page TIFF
 * becomes a PDF of its pages.
 */

/** Limits for one image. */
export interface ImageLimits {
  maxPixels: number;
  maxPages: number;
  timeoutMs: number;
}

/** A rebuilt image. */
export interface RebuiltImage {
  bytes: Uint8Array;
  type: TrueType;
  detail: string;
}

type ImageType = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'bmp';

function failure(err: unknown): Outcome<never> {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) return refuse('too-many-pixels', `image: ${msg}`);
  if (/timeout/i.test(msg)) return refuse('timeout', `image: ${msg}`);
  return refuse('malformed', `image: ${msg}`);
}

function input(bytes: Uint8Array, lim: ImageLimits, page = 0): sharp.Sharp {
  return sharp(bytes, { limitInputPixels: lim.maxPixels, failOn: 'error', animated: false, page, pages: 1 })
    .timeout({ seconds: Math.max(1, Math.ceil(lim.timeoutMs / 1000)) })
    .rotate();
}

/** Decode and re-encode an image of a supported true type. */
export async function rebuildImage(bytes: Uint8Array, type: ImageType, lim: ImageLimits): Promise<Outcome<RebuiltImage>> {
  try {
    if (type === 'bmp') {
      const raw = decodeBmp(bytes, lim.maxPixels);
      if (!raw.ok) return raw;
      const { width, height, data } = raw.value;
      const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
      return pass({ bytes: png, type: 'png', detail: `bmp ${width}x${height} → png` });
    }
    const meta = await sharp(bytes, { limitInputPixels: lim.maxPixels, failOn: 'error', animated: false }).metadata();
    const w = meta.width ?? 0;
    const h = meta.pageHeight ?? meta.height ?? 0;
    if (w * h > lim.maxPixels) return refuse('too-many-pixels', `image: ${w}x${h} > ${lim.maxPixels} pixels`);
    if (type === 'tiff' && (meta.pages ?? 1) > 1) return await tiffToPdf(bytes, meta.pages ?? 1, meta.density ?? 150, lim);
    const img = input(bytes, lim);
    switch (type) {
      case 'jpeg':
        return pass({ bytes: await img.jpeg({ quality: 90 }).toBuffer(), type: 'jpeg', detail: `jpeg ${w}x${h} re-encoded` });
      case 'webp':
        return pass({ bytes: await img.webp({ quality: 90 }).toBuffer(), type: 'webp', detail: `webp ${w}x${h} re-encoded` });
      default:
        return pass({ bytes: await img.png().toBuffer(), type: 'png', detail: `${type} ${w}x${h} → png${type === 'gif' ? ' (first frame)' : ''}` });
    }
  } catch (err) {
    return failure(err);
  }
}

async function tiffToPdf(bytes: Uint8Array, pages: number, density: number, lim: ImageLimits): Promise<Outcome<RebuiltImage>> {
  if (pages > lim.maxPages) return refuse('too-many-pages', `tiff: ${pages} pages > ${lim.maxPages}`);
  const builder = await PdfBuilder.create();
  for (let i = 0; i < pages; i++) await builder.addPage(await rawPageFromImage(input(bytes, lim, i), density > 0 ? density : 150));
  const pdf = await builder.save();
  return pass({ bytes: pdf, type: 'pdf', detail: `multi-page tiff (${pages} pages) → pdf` });
}

/**
 * Render an SVG to PNG with librsvg (inside sharp). librsvg does not run scripts, and
 * sharp gives it no base URL, so external references are not fetched. SVGs with
 * entity declarations are refused outright (billion-laughs).
 */
export async function rasterizeSvg(bytes: Uint8Array, lim: ImageLimits): Promise<Outcome<RebuiltImage>> {
  const text = new TextDecoder().decode(bytes);
  if (/<!ENTITY/i.test(text)) return refuse('malformed', 'svg: entity declarations are not allowed');
  try {
    const png = await sharp(bytes, { limitInputPixels: lim.maxPixels, failOn: 'error', density: 96 })
      .timeout({ seconds: Math.max(1, Math.ceil(lim.timeoutMs / 1000)) })
      .png()
      .toBuffer({ resolveWithObject: true });
    return pass({ bytes: png.data, type: 'png', detail: `svg rendered to png ${png.info.width}x${png.info.height}` });
  } catch (err) {
    return failure(err);
  }
}
