import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/**
 * Decoder for the common, uncompressed Windows BMP variants (1, 4, 8, 24 and 32 bits
 * per pixel; BI_RGB, and BI_BITFIELDS with the standard 32-bit masks). libvips in the
 * sharp prebuilt has no BMP loader, and BMP is simple enough to read with bounds checks.
 * RLE and 16-bit variants are refused.
 */

/** Decoded pixels: 3-channel RGB, top row first. */
export interface RawRgb {
  width: number;
  height: number;
  data: Buffer;
}

/** Decode a BMP into RGB, refusing truncated or oversized images. */
export function decodeBmp(bytes: Uint8Array, maxPixels: number): Outcome<RawRgb> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 54 || b.toString('latin1', 0, 2) !== 'BM') return refuse('malformed', 'bmp: bad header');
  const dataOffset = b.readUInt32LE(10);
  const dibSize = b.readUInt32LE(14);
  if (![40, 52, 56, 108, 124].includes(dibSize) || 14 + dibSize > b.length) return refuse('conversion-failed', `bmp: unsupported header size ${dibSize}`);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  const colorsUsed = b.readUInt32LE(46);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) return refuse('malformed', 'bmp: bad dimensions');
  if (width * height > maxPixels) return refuse('too-many-pixels', `bmp: ${width}x${height} > ${maxPixels} pixels`);
  if (![1, 4, 8, 24, 32].includes(bpp)) return refuse('conversion-failed', `bmp: ${bpp} bits per pixel not supported`);
  if (!(compression === 0 || (compression === 3 && bpp === 32))) return refuse('conversion-failed', `bmp: compression ${compression} not supported`);
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > b.length) return refuse('malformed', 'bmp: truncated pixel data');
  const palette: number[][] = [];
  if (bpp <= 8) {
    const count = colorsUsed || 1 << bpp;
    const at = 14 + dibSize;
    if (count > 256 || at + count * 4 > dataOffset) return refuse('malformed', 'bmp: bad palette');
    for (let i = 0; i < count; i++) palette.push([b[at + i * 4 + 2]!, b[at + i * 4 + 1]!, b[at + i * 4]!]);
  }
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + stride * (rawHeight > 0 ? height - 1 - y : y);
    for (let x = 0; x < width; x++) {
      let rgb: number[];
      if (bpp >= 24) {
        const p = row + x * (bpp / 8);
        rgb = [b[p + 2]!, b[p + 1]!, b[p]!];
      } else {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)]!;
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        rgb = palette[index] ?? [0, 0, 0];
      }
      out.set(rgb, (y * width + x) * 3);
    }
  }
  return pass({ width, height, data: out });
}
