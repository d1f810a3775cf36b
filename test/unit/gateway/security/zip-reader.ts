/** An independent reader for the ZIPs zip-crypto.ts writes, used to check them in tests. */
import { inflateRawSync } from 'node:zlib';
import { crc32, METHOD_DEFLATE, METHOD_STORED, ZipCryptoKeys } from '../../../../gateway/security/zip-crypto.js';

export interface ReadEntry {
  name: string;
  data: Buffer;
  flags: number;
  method: number;
}

export class WrongPasswordError extends Error {}

/** Reads every entry through the central directory, decrypting with `password`. */
export function readEncryptedZip(zip: Buffer, password: string): ReadEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central header');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const csize = zip.readUInt32LE(at + 20);
    const usize = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    at += 46 + nameLen + extraLen + commentLen;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + csize);
    const plain = (flags & 1) === 0 ? body : decrypt(body, password, crc);
    const data = method === METHOD_DEFLATE ? inflateRawSync(plain) : method === METHOD_STORED ? Buffer.from(plain) : unsupported(method);
    if (data.length !== usize || crc32(data) !== crc) throw new WrongPasswordError(`${name}: CRC or size mismatch`);
    entries.push({ name, data, flags, method });
  }
  return entries;
}

function decrypt(body: Buffer, password: string, crc: number): Buffer {
  const keys = new ZipCryptoKeys(Buffer.from(password, 'utf8'));
  const header = keys.decrypt(body.subarray(0, 12));
  if (header[11] !== crc >>> 24) throw new WrongPasswordError('password check byte mismatch');
  return keys.decrypt(body.subarray(12));
}

function unsupported(method: number): never {
  throw new Error(`unsupported method ${method}`);
}
