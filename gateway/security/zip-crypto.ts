/**
 * A minimal ZIP writer with traditional PKWARE encryption ("ZipCrypto", APPNOTE
 * 6.1), for handing quarantined originals to analysts the usual way: a ZIP with
 * the password `infected`, so no scanner or mail filter on the way touches the
 * sample and nobody opens it by accident. ZipCrypto is weak cryptography; it is
 * a safety wrapper, not secrecy, and every analysis tool reads it.
 */
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';

// Off the event loop: originals can be up to the download limit (hundreds of MB).
const deflateRawAsync = promisify(deflateRaw);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** One byte into a running CRC-32 register (no pre/post inversion). */
function crcUpdate(crc: number, byte: number): number {
  return (CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) >>> 0;
}

/** CRC-32 (IEEE 802.3, as ZIP and PNG use it). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcUpdate(crc, data[i]!);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The three-key stream cipher of traditional PKWARE encryption. */
export class ZipCryptoKeys {
  private k0 = 0x12345678;
  private k1 = 0x23456789;
  private k2 = 0x34567890;

  constructor(password: Uint8Array) {
    for (const b of password) this.update(b);
  }

  private update(plain: number): void {
    this.k0 = crcUpdate(this.k0, plain);
    this.k1 = (this.k1 + (this.k0 & 0xff)) >>> 0;
    this.k1 = (Math.imul(this.k1, 134775813) + 1) >>> 0;
    this.k2 = crcUpdate(this.k2, this.k1 >>> 24);
  }

  private streamByte(): number {
    const temp = (this.k2 | 2) & 0xffff;
    return (Math.imul(temp, temp ^ 1) >>> 8) & 0xff;
  }

  encrypt(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) {
      const plain = data[i]!;
      out[i] = plain ^ this.streamByte();
      this.update(plain);
    }
    return out;
  }

  decrypt(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) {
      const plain = data[i]! ^ this.streamByte();
      out[i] = plain;
      this.update(plain);
    }
    return out;
  }
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  modified?: Date;
}

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
/** Without ZIP64 every size and offset must fit in 32 bits. */
const MAX_SIZE = 0xffffffff - 12;

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

interface Prepared {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  body: Buffer;
  time: number;
  date: number;
  offset: number;
}

/** Compresses (when it helps) and encrypts one entry: 12-byte header, then the data. */
async function prepare(entry: ZipEntry, password: Uint8Array, offset: number): Promise<Prepared> {
  if (entry.data.length > MAX_SIZE) throw new RangeError('file too large for a ZIP without ZIP64');
  const crc = crc32(entry.data);
  const deflated = await deflateRawAsync(entry.data, { level: 6 });
  const useDeflate = deflated.length < entry.data.length;
  const payload = useDeflate ? deflated : entry.data;
  if (payload.length > MAX_SIZE) throw new RangeError('file too large for a ZIP without ZIP64');
  const keys = new ZipCryptoKeys(password);
  const header = randomBytes(12);
  // The last header byte is the CRC's high byte: readers use it to check the password.
  header[11] = crc >>> 24;
  const body = Buffer.concat([keys.encrypt(header), keys.encrypt(payload)]);
  return { name: Buffer.from(entry.name, 'utf8'), method: useDeflate ? METHOD_DEFLATE : METHOD_STORED, crc, size: entry.data.length, body, ...dosDateTime(entry.modified ?? new Date()), offset };
}

function localHeader(p: Prepared): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(FLAG_ENCRYPTED | FLAG_UTF8, 6);
  b.writeUInt16LE(p.method, 8);
  b.writeUInt16LE(p.time, 10);
  b.writeUInt16LE(p.date, 12);
  b.writeUInt32LE(p.crc, 14);
  b.writeUInt32LE(p.body.length, 18);
  b.writeUInt32LE(p.size, 22);
  b.writeUInt16LE(p.name.length, 26);
  b.writeUInt16LE(0, 28);
  return Buffer.concat([b, p.name]);
}

function centralHeader(p: Prepared): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(FLAG_ENCRYPTED | FLAG_UTF8, 8);
  b.writeUInt16LE(p.method, 10);
  b.writeUInt16LE(p.time, 12);
  b.writeUInt16LE(p.date, 14);
  b.writeUInt32LE(p.crc, 16);
  b.writeUInt32LE(p.body.length, 20);
  b.writeUInt32LE(p.size, 24);
  b.writeUInt16LE(p.name.length, 28);
  // extra, comment, disk number, internal attributes: 0
  b.writeUInt32LE((0o100600 << 16) >>> 0, 38); // a regular file, not executable
  b.writeUInt32LE(p.offset, 42);
  return Buffer.concat([b, p.name]);
}

/** A complete ZIP whose entries are all encrypted with `password`. */
export async function encryptedZip(entries: readonly ZipEntry[], password: string): Promise<Buffer> {
  const pwd = Buffer.from(password, 'utf8');
  const parts: Buffer[] = [];
  const prepared: Prepared[] = [];
  let offset = 0;
  for (const entry of entries) {
    const p = await prepare(entry, pwd, offset);
    const head = localHeader(p);
    parts.push(head, p.body);
    prepared.push(p);
    offset += head.length + p.body.length;
    if (offset > 0xffffffff) throw new RangeError('archive too large without ZIP64');
  }
  const central = Buffer.concat(prepared.map(centralHeader));
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(prepared.length, 8);
  end.writeUInt16LE(prepared.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, central, end]);
}
