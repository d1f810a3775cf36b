/**
 * Binary frame format shared by gateway and client (docs/streaming.md).
 *
 * Every picture update travels as one binary WebSocket message: a fixed 40-byte header,
 * a table of rectangles, then the encoded image of each rectangle (JPEG, PNG or WebP)
 * back to back. Never base64 in JSON.
 *
 * A key frame replaces the whole picture. A delta applies to the picture the client
 * holds after frame `baseSeq`: first it copies the copy rectangle by `copyDy` rows
 * (scrolling), then it draws the rectangles. A client whose picture is not `baseSeq`
 * (or that cannot decode a piece) drops the delta, keeps its picture and asks for a key
 * frame, so a lost or out-of-order piece never leaves a corrupted screen.
 *
 * Header layout (big-endian):
 *   0  u8   magic 0x4b ('K')
 *   1  u8   header version (2; version 1 carried one whole JPEG and is refused)
 *   2  u8   kind (FrameKind)
 *   3  u8   flags (FrameFlags)
 *   4  u32  tab id
 *   8  u32  sequence number (per connection)
 *  12  u16  width of the picture in device pixels
 *  14  u16  height of the picture in device pixels
 *  16  f64  capture time, ms since the Unix epoch (Chromium's timestamp)
 *  24  u32  base sequence number (delta: the picture it applies to; key: 0)
 *  28  u16  number of rectangles
 *  30  i16  copy shift in rows (positive: content moves down)
 *  32  u16  copy rectangle x, y, width, height (width 0: no copy)
 * Each rectangle (14 bytes): u16 x, y, width, height; u8 codec (PieceCodec); u8 0;
 * u32 byte length of its image (a fill: 3 bytes of colour).
 */

/** Size of the fixed header in bytes. */
export const FRAME_HEADER_BYTES = 40;
/** Size of one rectangle's entry in the table after the header. */
export const FRAME_RECT_BYTES = 14;
/** Most rectangles one frame may carry (a malformed count must not make the client loop). */
export const MAX_FRAME_RECTS = 1024;
const MAGIC = 0x4b;
/** Version of the binary frame format; a client refuses any other. */
export const FRAME_FORMAT_VERSION = 2;

/** Whether a frame replaces the picture or changes the one the client holds. */
export enum FrameKind {
  Key = 1,
  Delta = 2,
}

/** Bit flags in the header. */
export enum FrameFlags {
  None = 0,
  /** After this frame the client's whole picture is lossless (a refinement, or lossless pieces throughout). */
  Refined = 1,
}

/** How one rectangle's image is encoded. */
export enum PieceCodec {
  Jpeg = 1,
  Png = 2,
  Webp = 3,
  /** One colour throughout: the data is 3 bytes, red, green, blue. */
  Fill = 4,
}

/** A rectangle of the picture, in device pixels. */
export interface FrameRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Rows of `rect` move by `dy` (the rows they leave keep their old pixels until drawn over). */
export interface FrameCopy extends FrameRect {
  dy: number;
}

/** One encoded rectangle. */
export interface FramePiece extends FrameRect {
  codec: PieceCodec;
  data: Uint8Array;
}

/** Decoded frame header. */
export interface FrameHeader {
  kind: FrameKind;
  flags: number;
  tabId: number;
  seq: number;
  /** Delta: sequence number of the picture it applies to; key frame: 0. */
  baseSeq: number;
  width: number;
  height: number;
  captureTime: number;
}

/** A whole frame: header, optional copy, pieces. */
export interface DecodedFrame {
  header: FrameHeader;
  copy: FrameCopy | null;
  pieces: FramePiece[];
}

/** Encodes a frame into one message buffer. */
export function encodeFrame(frame: DecodedFrame): Uint8Array {
  const { header, copy, pieces } = frame;
  if (pieces.length > MAX_FRAME_RECTS) throw new Error('too many rectangles in one frame');
  const tableBytes = pieces.length * FRAME_RECT_BYTES;
  const dataBytes = pieces.reduce((n, p) => n + p.data.byteLength, 0);
  const out = new Uint8Array(FRAME_HEADER_BYTES + tableBytes + dataBytes);
  const view = new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES + tableBytes);
  view.setUint8(0, MAGIC);
  view.setUint8(1, FRAME_FORMAT_VERSION);
  view.setUint8(2, header.kind);
  view.setUint8(3, header.flags & 0xff);
  view.setUint32(4, header.tabId >>> 0);
  view.setUint32(8, header.seq >>> 0);
  view.setUint16(12, clampU16(header.width));
  view.setUint16(14, clampU16(header.height));
  view.setFloat64(16, header.captureTime);
  view.setUint32(24, header.baseSeq >>> 0);
  view.setUint16(28, pieces.length);
  view.setInt16(30, copy ? Math.max(-0x8000, Math.min(0x7fff, Math.round(copy.dy))) : 0);
  setRect(view, 32, copy ?? { x: 0, y: 0, width: 0, height: 0 });
  let offset = FRAME_HEADER_BYTES;
  let dataAt = FRAME_HEADER_BYTES + tableBytes;
  for (const piece of pieces) {
    setRect(view, offset, piece);
    view.setUint8(offset + 8, piece.codec);
    view.setUint8(offset + 9, 0);
    view.setUint32(offset + 10, piece.data.byteLength);
    out.set(piece.data, dataAt);
    dataAt += piece.data.byteLength;
    offset += FRAME_RECT_BYTES;
  }
  return out;
}

/**
 * Whether a frame message is a key frame (shown without the frames before it), read from
 * its header alone: recordings check this per frame and need not decode the pieces.
 */
export function isKeyFrame(bytes: Uint8Array): boolean {
  return bytes.byteLength >= FRAME_HEADER_BYTES && bytes[0] === MAGIC && bytes[1] === FRAME_FORMAT_VERSION && bytes[2] === FrameKind.Key;
}

/**
 * Decodes a frame message. Returns null for anything malformed (wrong magic, another
 * format version, unknown kind or codec, a rectangle or copy outside the picture, lengths
 * that do not add up) so callers drop it without throwing. The pieces are views on the
 * message (no copy).
 */
export function decodeFrame(message: ArrayBuffer | Uint8Array): DecodedFrame | null {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const head = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES);
  if (head.getUint8(0) !== MAGIC || head.getUint8(1) !== FRAME_FORMAT_VERSION) return null;
  const kind = head.getUint8(2);
  if (kind !== FrameKind.Key && kind !== FrameKind.Delta) return null;
  const header: FrameHeader = {
    kind,
    flags: head.getUint8(3),
    tabId: head.getUint32(4),
    seq: head.getUint32(8),
    width: head.getUint16(12),
    height: head.getUint16(14),
    captureTime: head.getFloat64(16),
    baseSeq: head.getUint32(24),
  };
  const count = head.getUint16(28);
  const dy = head.getInt16(30);
  const copyRect = getRect(head, 32);
  if (count > MAX_FRAME_RECTS || header.width === 0 || header.height === 0) return null;
  let copy: FrameCopy | null = null;
  if (copyRect.width > 0) {
    if (kind !== FrameKind.Delta || !inside(copyRect, header) || !inside({ ...copyRect, y: copyRect.y + dy }, header)) return null;
    copy = { ...copyRect, dy };
  }
  const tableEnd = FRAME_HEADER_BYTES + count * FRAME_RECT_BYTES;
  if (bytes.byteLength < tableEnd) return null;
  const table = new DataView(bytes.buffer, bytes.byteOffset, tableEnd);
  const pieces: FramePiece[] = [];
  let dataAt = tableEnd;
  for (let i = 0; i < count; i++) {
    const at = FRAME_HEADER_BYTES + i * FRAME_RECT_BYTES;
    const rect = getRect(table, at);
    const codec = table.getUint8(at + 8);
    const length = table.getUint32(at + 10);
    if (codec !== PieceCodec.Jpeg && codec !== PieceCodec.Png && codec !== PieceCodec.Webp && codec !== PieceCodec.Fill) return null;
    if (codec === PieceCodec.Fill && length !== 3) return null;
    if (rect.width === 0 || rect.height === 0 || !inside(rect, header)) return null;
    if (length === 0 || dataAt + length > bytes.byteLength) return null;
    pieces.push({ ...rect, codec, data: bytes.subarray(dataAt, dataAt + length) });
    dataAt += length;
  }
  if (dataAt !== bytes.byteLength) return null;
  return { header, copy, pieces };
}

function setRect(view: DataView, at: number, r: FrameRect): void {
  view.setUint16(at, clampU16(r.x));
  view.setUint16(at + 2, clampU16(r.y));
  view.setUint16(at + 4, clampU16(r.width));
  view.setUint16(at + 6, clampU16(r.height));
}

function getRect(view: DataView, at: number): FrameRect {
  return { x: view.getUint16(at), y: view.getUint16(at + 2), width: view.getUint16(at + 4), height: view.getUint16(at + 6) };
}

function inside(r: FrameRect, size: { width: number; height: number }): boolean {
  return r.x >= 0 && r.y >= 0 && r.x + r.width <= size.width && r.y + r.height <= size.height;
}

function clampU16(n: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(n)));
}
