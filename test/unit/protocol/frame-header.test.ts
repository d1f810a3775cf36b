import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, FrameKind } from '../../../protocol/index.js';

describe('frame header', () => {
  it('round-trips header fields and payload bytes', () => {
    const payload = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
    const header = { kind: FrameKind.Jpeg, tabId: 7, seq: 4_000_000_000, width: 2400, height: 1600, captureTime: 1795751234567.25 };
    const decoded = decodeFrame(encodeFrame(header, payload));
    expect(decoded?.header).toEqual(header);
    expect([...decoded!.payload]).toEqual([...payload]);
  });

  it('decodes from an ArrayBuffer slice with an offset', () => {
    const bytes = encodeFrame({ kind: FrameKind.Png, tabId: 1, seq: 2, width: 3, height: 4, captureTime: 5 }, new Uint8Array([9]));
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeFrame(padded.subarray(3))?.header.seq).toBe(2);
  });

  it('rejects short, foreign and unknown-kind messages', () => {
    expect(decodeFrame(new Uint8Array(FRAME_HEADER_BYTES - 1))).toBeNull();
    const bytes = encodeFrame({ kind: FrameKind.Jpeg, tabId: 1, seq: 1, width: 1, height: 1, captureTime: 0 }, new Uint8Array());
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(decodeFrame(wrongMagic)).toBeNull();
    const wrongKind = bytes.slice();
    wrongKind[2] = 99;
    expect(decodeFrame(wrongKind)).toBeNull();
  });
});
