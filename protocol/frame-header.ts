/**
 * Binary frame header shared by gateway and client.
 *
 * Every screencast frame travels as one binary WebSocket message: this fixed
 * 24-byte header followed by the encoded image (JPEG or PNG). Never base64 in JSON.
 *
 * Layout (big-endian):
 *   0  u8   magic 0x4b ('K')
 *   1  u8   header version (1)
 *   2  u8   kind (FrameKind)
 *   3  u8   reserved (0)
 *   4  u32  tab id
 *   8  u32  sequence number (per connection)
 *  12  u16  width in device pixels
 *  14  u16  height in device pixels
 *  16  f64  capture time, ms since the Unix epoch (Chromium's timestamp)
 */

/** Size of the fixed header in bytes. */
export const FRAME_HEADER_BYTES = 24;
const MAGIC = 0x4b;
const HEADER_VERSION = 1;

/** What the payload after the header holds. */
export enum FrameKind {
  Jpeg = 1,
  Png = 2,
}

/** Decoded frame header. */
export interface FrameHeader {
  kind: FrameKind;
  tabId: number;
  seq: number;
  width: number;
  height: number;
  captureTime: number;
}

/** Encodes a header and payload into one message buffer. */
export function encodeFrame(header: FrameHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES);
  view.setUint8(0, MAGIC);
  view.setUint8(1, HEADER_VERSION);
  view.setUint8(2, header.kind);
  view.setUint8(3, 0);
  view.setUint32(4, header.tabId >>> 0);
  view.setUint32(8, header.seq >>> 0);
  view.setUint16(12, clampU16(header.width));
  view.setUint16(14, clampU16(header.height));
  view.setFloat64(16, header.captureTime);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Result of decoding: the header and a view on the payload (no copy). */
export interface DecodedFrame {
  header: FrameHeader;
  payload: Uint8Array;
}

/**
 * Decodes a frame message. Returns null for anything malformed (wrong magic,
 * unknown version or kind, short buffer) so callers can drop it without throwing.
 */
export function decodeFrame(message: ArrayBuffer | Uint8Array): DecodedFrame | null {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES);
  if (view.getUint8(0) !== MAGIC || view.getUint8(1) !== HEADER_VERSION) return null;
  const kind = view.getUint8(2);
  if (kind !== FrameKind.Jpeg && kind !== FrameKind.Png) return null;
  return {
    header: {
      kind,
      tabId: view.getUint32(4),
      seq: view.getUint32(8),
      width: view.getUint16(12),
      height: view.getUint16(14),
      captureTime: view.getFloat64(16),
    },
    payload: bytes.subarray(FRAME_HEADER_BYTES),
  };
}

function clampU16(n: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(n)));
}
