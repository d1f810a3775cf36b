import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameFlags,
  FrameKind,
  PieceCodec,
  type DecodedFrame,
} from '../../../protocol/index.js';

const header = { kind: FrameKind.Delta, flags: FrameFlags.None, tabId: 7, seq: 4_000_000_000, baseSeq: 3_999_999_999, width: 2400, height: 1600, captureTime: 1795751234567.25 };

function delta(): DecodedFrame {
  return {
    header,
    copy: { x: 0, y: 120, width: 2400, height: 1480, dy: -120 },
    pieces: [
      { x: 0, y: 1472, width: 2400, height: 128, codec: PieceCodec.Jpeg, data: new Uint8Array([0xff, 0xd8, 1, 2, 3]) },
      { x: 2368, y: 0, width: 32, height: 16, codec: PieceCodec.Webp, data: new Uint8Array([9, 8]) },
    ],
  };
}

describe('frame format', () => {
  it('round-trips header, copy and pieces of a delta', () => {
    const decoded = decodeFrame(encodeFrame(delta()));
    expect(decoded?.header).toEqual(header);
    expect(decoded?.copy).toEqual({ x: 0, y: 120, width: 2400, height: 1480, dy: -120 });
    expect(decoded?.pieces.map((p) => ({ ...p, data: [...p.data] }))).toEqual([
      { x: 0, y: 1472, width: 2400, height: 128, codec: PieceCodec.Jpeg, data: [0xff, 0xd8, 1, 2, 3] },
      { x: 2368, y: 0, width: 32, height: 16, codec: PieceCodec.Webp, data: [9, 8] },
    ]);
  });

  it('a key frame has no copy; a refinement carries its flag', () => {
    const key: DecodedFrame = {
      header: { ...header, kind: FrameKind.Key, flags: FrameFlags.Refined, baseSeq: 0, width: 3, height: 4 },
      copy: null,
      pieces: [{ x: 0, y: 0, width: 3, height: 4, codec: PieceCodec.Png, data: new Uint8Array([1]) }],
    };
    const bytes = encodeFrame(key);
    expect(bytes.byteLength).toBe(FRAME_HEADER_BYTES + 14 + 1);
    const decoded = decodeFrame(bytes)!;
    expect(decoded.copy).toBeNull();
    expect(decoded.header.flags & FrameFlags.Refined).toBeTruthy();
  });

  it('decodes from an ArrayBuffer slice with an offset', () => {
    const bytes = encodeFrame(delta());
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeFrame(padded.subarray(3))?.header.seq).toBe(4_000_000_000);
    expect(decodeFrame(padded.slice(3).buffer)?.pieces[1]?.data[0]).toBe(9);
  });

  it('refuses version-1 frames (whole JPEG after a 24-byte header) and foreign messages', () => {
    const v1 = new Uint8Array(24 + 5);
    v1.set([0x4b, 1, 1, 0]);
    expect(decodeFrame(v1)).toBeNull();
    expect(decodeFrame(new Uint8Array(FRAME_HEADER_BYTES - 1))).toBeNull();
    const bytes = encodeFrame(delta());
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(decodeFrame(wrongMagic)).toBeNull();
    const wrongKind = bytes.slice();
    wrongKind[2] = 99;
    expect(decodeFrame(wrongKind)).toBeNull();
  });

  it('refuses pieces or copies outside the picture, unknown codecs and lengths that do not add up', () => {
    const outside = delta();
    outside.pieces[1]!.x = 2380;
    expect(decodeFrame(encodeFrame(outside))).toBeNull();
    const copyOut = delta();
    copyOut.copy!.dy = -121; // would write above row 0
    expect(decodeFrame(encodeFrame(copyOut))).toBeNull();
    const bytes = encodeFrame(delta());
    const badCodec = bytes.slice();
    badCodec[FRAME_HEADER_BYTES + 8] = 9;
    expect(decodeFrame(badCodec)).toBeNull();
    expect(decodeFrame(bytes.slice(0, bytes.length - 1))).toBeNull();
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expect(decodeFrame(trailing)).toBeNull();
    const fill = delta();
    fill.pieces[1] = { x: 0, y: 0, width: 32, height: 16, codec: PieceCodec.Fill, data: new Uint8Array([1, 2, 3, 4]) };
    expect(decodeFrame(encodeFrame(fill))).toBeNull(); // a fill is exactly 3 bytes of colour
    fill.pieces[1]!.data = new Uint8Array([1, 2, 3]);
    expect(decodeFrame(encodeFrame(fill))?.pieces[1]?.codec).toBe(PieceCodec.Fill);
    const keyWithCopy = bytes.slice();
    keyWithCopy[2] = FrameKind.Key;
    expect(decodeFrame(keyWithCopy)).toBeNull();
  });
});
