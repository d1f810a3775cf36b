/**
 * Turns Chromium's lossless (PNG) screencast frames into what the viewer needs
 * (docs/streaming.md): a key frame when there is no common picture, otherwise a delta —
 * the shift of a scroll as one copy command plus the tiles that changed, as JPEG at a
 * lower "moving" quality. Once the page settles, `refine` sends the tiles that are still
 * lossy again, losslessly.
 *
 * It keeps `ref`, exactly the picture of the latest frame (the client holds the same,
 * except that some tiles are JPEG), and a map of the tiles the client holds lossy.
 * Decoding and encoding run in libvips (sharp); comparisons run on raw RGB.
 */
import sharp from 'sharp';
import { FrameFlags, FrameKind, PieceCodec, type FrameCopy, type FramePiece } from '../../protocol/index.js';
import {
  changedTiles,
  copyRect,
  countTiles,
  findVerticalShift,
  rowHashes,
  shiftRows,
  shiftTiles,
  TILE_H,
  TILE_W,
  tileMap,
  tileRects,
  type RawPicture,
  type Rect,
  type TileMap,
} from './frame-diff.js';

export interface EncoderOptions {
  /** JPEG quality of the tiles sent while the picture moves. */
  movingQuality: number;
  /** JPEG quality of key frames. */
  keyQuality: number;
}

/** What to send, before the header's sequence numbers are filled in. */
export interface EncodedFrame {
  kind: FrameKind;
  flags: number;
  width: number;
  height: number;
  copy: FrameCopy | null;
  pieces: FramePiece[];
}

/** A change this large is sent as a key frame: one image beats many tiles. */
const KEY_SHARE = 0.6;
/** Refinements this large go as one lossless image of the whole picture. */
const FULL_REFINE_SHARE = 0.5;

async function decodeRaw(image: Buffer): Promise<RawPicture> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function rawInput(pic: RawPicture): sharp.Sharp {
  return sharp(pic.data, { raw: { width: pic.width, height: pic.height, channels: 3 } });
}

async function encodePiece(pic: RawPicture, rect: Rect, codec: PieceCodec, quality: number): Promise<FramePiece> {
  let img = rawInput(pic);
  if (rect.x !== 0 || rect.y !== 0 || rect.width !== pic.width || rect.height !== pic.height) {
    img = img.extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height });
  }
  const data =
    codec === PieceCodec.Jpeg
      ? await img.jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer()
      : codec === PieceCodec.Webp
        ? await img.webp({ lossless: true, effort: 0 }).toBuffer()
        : await img.png({ compressionLevel: 3, adaptiveFiltering: true }).toBuffer();
  return { ...rect, codec, data };
}

/**
 * While the picture moves, pieces go as JPEG at moving quality: libvips encodes a
 * 1200×100 strip in ~2 ms where lossless WebP takes ~11 ms on the same core, and the
 * lossless refinement follows once the picture is still (docs/streaming.md).
 */
async function encodeMoving(pic: RawPicture, rect: Rect, quality: number): Promise<FramePiece> {
  return fillPiece(pic, rect) ?? encodePiece(pic, rect, PieceCodec.Jpeg, quality);
}

/**
 * A rectangle of one colour throughout (page background, a cleared area, a page that
 * only changes colour) goes as that colour: exact, 3 bytes, no encoding at all.
 */
function fillPiece(pic: RawPicture, rect: Rect): FramePiece | null {
  const stride = pic.width * 3;
  const first = rect.y * stride + rect.x * 3;
  const [r, g, b] = [pic.data[first]!, pic.data[first + 1]!, pic.data[first + 2]!];
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const end = y * stride + (rect.x + rect.width) * 3;
    for (let i = y * stride + rect.x * 3; i < end; i += 3) if (pic.data[i] !== r || pic.data[i + 1] !== g || pic.data[i + 2] !== b) return null;
  }
  return { ...rect, codec: PieceCodec.Fill, data: new Uint8Array([r, g, b]) };
}

export class FrameEncoder {
  private ref: RawPicture | null = null;
  private sig: Uint32Array | null = null;
  private lossy: TileMap | null = null;
  private lastFrame: Buffer | null = null;
  private lastScrollY: number | undefined;
  private keyWanted = true;
  private generation = 0;

  constructor(private readonly options: EncoderOptions) {}

  /** Forgets the client's picture (new viewer, tab switch): the next frame is a key frame. */
  reset(): void {
    this.generation++;
    this.ref = null;
    this.sig = null;
    this.lossy = null;
    this.lastFrame = null;
    this.lastScrollY = undefined;
    this.keyWanted = true;
  }

  /** The client lost track of its picture: the next frame is a key frame. */
  requestKey(): void {
    this.generation++;
    this.keyWanted = true;
    this.lastFrame = null;
  }

  /** True until the client has been sent a whole picture. */
  get wantsKey(): boolean {
    return this.keyWanted;
  }

  /** The header flag saying that after this frame the client's whole picture is lossless. */
  private losslessFlag(): number {
    return this.needsRefinement ? FrameFlags.None : FrameFlags.Refined;
  }

  /** True while the client holds tiles that are not lossless. */
  get needsRefinement(): boolean {
    return this.lossy !== null && countTiles(this.lossy) > 0;
  }

  /** Encodes one screencast frame (PNG); null when the client's picture already shows it. */
  async fromScreencast(frame: Buffer, scrollY?: number): Promise<EncodedFrame | null> {
    if (!this.keyWanted && this.lastFrame?.equals(frame)) return null;
    const generation = this.generation;
    const next = await decodeRaw(frame);
    if (generation !== this.generation) return null;
    const ref = this.ref;
    if (this.keyWanted || !ref || ref.width !== next.width || ref.height !== next.height) {
      return this.key(next, null, frame, scrollY, generation);
    }
    const hint = scrollY !== undefined && this.lastScrollY !== undefined ? Math.round(this.lastScrollY - scrollY) : undefined;
    // The page did not scroll (by its scroll offset): look at what changed in place first.
    // A repaint of most of the picture (a click, a navigation) then goes as a key frame
    // without hashing rows, which keeps input-to-frame latency down.
    const inPlace = hint === 0 ? changedTiles(ref, next) : null;
    if (inPlace && countTiles(inPlace) === 0) {
      this.lastFrame = frame;
      this.lastScrollY = scrollY;
      return null;
    }
    if (inPlace && countTiles(inPlace) >= KEY_SHARE * inPlace.bits.length) return this.key(next, null, frame, scrollY, generation);
    const nextSig = rowHashes(next);
    const dy = findVerticalShift(this.refHashes(ref), nextSig, next.height, hint === undefined ? {} : { hint });
    const shifted: RawPicture = { ...ref, data: Buffer.from(ref.data) };
    shiftRows(shifted, dy);
    const changed = dy === 0 && inPlace ? inPlace : changedTiles(shifted, next);
    const count = countTiles(changed);
    if (dy === 0 && count === 0) {
      this.lastFrame = frame;
      this.lastScrollY = scrollY;
      return null;
    }
    if (dy === 0 && count >= KEY_SHARE * changed.bits.length) return this.key(next, nextSig, frame, scrollY, generation);
    const rects = tileRects(changed, next.width, next.height);
    const pieces = await Promise.all(rects.map((r) => encodeMoving(next, r, this.options.movingQuality)));
    if (generation !== this.generation) return null;
    for (const r of rects) copyRect(next, shifted, r);
    this.ref = shifted;
    this.sig = nextSig;
    const lossy = shiftTiles(this.lossy!, dy, 1);
    for (const piece of pieces) markTiles(lossy, piece, piece.codec === PieceCodec.Jpeg ? 1 : 0);
    this.lossy = lossy;
    this.lastFrame = frame;
    this.lastScrollY = scrollY;
    const copy: FrameCopy | null =
      dy === 0 ? null : { x: 0, y: dy > 0 ? 0 : -dy, width: next.width, height: next.height - Math.abs(dy), dy };
    return { kind: FrameKind.Delta, flags: this.losslessFlag(), width: next.width, height: next.height, copy, pieces };
  }

  /**
   * Sends again, losslessly, every tile the client holds lossy; null when nothing is
   * lossy. The screencast is lossless, so the reference picture is exactly what the page
   * showed in its latest frame: the refinement comes from it, not from a new capture
   * (which could show a later picture than the rest of the client's). `whole`: the
   * client holds no usable picture; send all of it.
   */
  async refine(whole = false): Promise<EncodedFrame | null> {
    const ref = this.ref;
    const lossy = this.lossy;
    if (!ref || !lossy) return null;
    if (whole && !this.keyWanted) whole = false;
    if (!whole && countTiles(lossy) === 0) return null;
    const full = whole || countTiles(lossy) >= FULL_REFINE_SHARE * lossy.bits.length;
    const rects = full ? [{ x: 0, y: 0, width: ref.width, height: ref.height }] : tileRects(lossy, ref.width, ref.height);
    const pieces = await Promise.all(rects.map((r) => fillPiece(ref, r) ?? encodePiece(ref, r, PieceCodec.Webp, 100)));
    // Frames are encoded one at a time, so only a reset or a new key request can have intervened.
    if (this.ref !== ref || (this.keyWanted && !whole)) return null;
    this.lossy = tileMap(ref.width, ref.height);
    this.keyWanted = false;
    return { kind: full ? FrameKind.Key : FrameKind.Delta, flags: FrameFlags.Refined, width: ref.width, height: ref.height, copy: null, pieces };
  }

  /** A whole picture: lossless when it is one colour, else JPEG at key quality (refined once still). */
  /** Row hashes of the reference picture, made when first needed (a key frame does not wait for them). */
  private refHashes(ref: RawPicture): Uint32Array {
    this.sig ??= rowHashes(ref);
    return this.sig;
  }

  private async key(next: RawPicture, nextSig: Uint32Array | null, source: Buffer, scrollY: number | undefined, generation: number): Promise<EncodedFrame | null> {
    const rect = { x: 0, y: 0, width: next.width, height: next.height };
    const piece: FramePiece = fillPiece(next, rect) ?? (await encodePiece(next, rect, PieceCodec.Jpeg, this.options.keyQuality));
    if (generation !== this.generation) return null;
    this.ref = next;
    this.sig = nextSig;
    this.lossy = tileMap(next.width, next.height, piece.codec === PieceCodec.Jpeg ? 1 : 0);
    this.lastFrame = source;
    this.lastScrollY = scrollY;
    this.keyWanted = false;
    return { kind: FrameKind.Key, flags: this.losslessFlag(), width: next.width, height: next.height, copy: null, pieces: [piece] };
  }
}

/** Sets or clears the lossy mark of every tile a piece covers (pieces are tile-aligned). */
function markTiles(map: TileMap, rect: Rect, value: number): void {
  const c0 = Math.floor(rect.x / TILE_W);
  const c1 = Math.ceil((rect.x + rect.width) / TILE_W);
  const r0 = Math.floor(rect.y / TILE_H);
  const r1 = Math.ceil((rect.y + rect.height) / TILE_H);
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) map.bits[r * map.cols + c] = value;
}
