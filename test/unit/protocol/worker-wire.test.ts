/** The remote-worker wire format (protocol/worker-wire.ts): JSON plus raw bytes, framing checked. */
import { describe, expect, it } from 'vitest';
import { FromWorker } from '../../../protocol/worker-messages.js';
import { decodeWire, encodeWire, MAX_WIRE_JSON } from '../../../protocol/worker-wire.js';

describe('worker wire format', () => {
  it('carries a message with bytes without base64 and restores them as Uint8Array', () => {
    const data = new Uint8Array([0, 255, 1, 2, 3]);
    const wire = encodeWire({ t: 'frame', sid: 's1', data });
    expect(wire.length).toBe(4 + wire.readUInt32BE(0) + data.length);
    const back = decodeWire(wire) as { t: string; sid: string; data: Uint8Array };
    expect(back.t).toBe('frame');
    expect([...back.data]).toEqual([...data]);
    expect(FromWorker.safeParse(back).success).toBe(true);
  });

  it('round-trips a message without bytes, and an empty chunk', () => {
    expect(decodeWire(encodeWire({ t: 'ready', pid: 7 }))).toEqual({ t: 'ready', pid: 7 });
    const empty = decodeWire(encodeWire({ t: 'dl-chunk', sid: 's', guid: 'g', data: new Uint8Array(0) })) as { data: Uint8Array };
    expect(empty.data.byteLength).toBe(0);
  });

  it('rejects bad framing: short, lying length, not JSON, not an object, stray bytes, smuggled data', () => {
    const json = Buffer.from('{"t":"ready","pid":1}');
    const header = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n, 0);
      return b;
    };
    expect(decodeWire(Buffer.from([0, 0]))).toBeNull();
    expect(decodeWire(Buffer.concat([header(json.length + 10), json]))).toBeNull();
    expect(decodeWire(Buffer.concat([header(MAX_WIRE_JSON + 1), json]))).toBeNull();
    expect(decodeWire(Buffer.concat([header(3), Buffer.from('{x}')]))).toBeNull();
    expect(decodeWire(Buffer.concat([header(2), Buffer.from('[]')]))).toBeNull();
    expect(decodeWire(Buffer.concat([header(json.length), json, Buffer.from([1])]))).toBeNull();
    const smuggled = Buffer.from('{"t":"frame","sid":"s","data":[1,2]}');
    expect(decodeWire(Buffer.concat([header(smuggled.length), smuggled]))).toBeNull();
  });

  it('refuses download chunks over the transfer size when validated', () => {
    const big = decodeWire(encodeWire({ t: 'dl-chunk', sid: 's', guid: 'g', data: new Uint8Array(1024 * 1024 + 1) }));
    expect(FromWorker.safeParse(big).success).toBe(false);
  });
});
