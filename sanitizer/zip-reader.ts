/**
 * A minimal, bounds-checked ZIP central-directory reader, hand-written on purpose: it
 * reads downloaded (hostile) archives, where a general ZIP library would widen the attack
 * surface. Every field is distrusted: declared sizes are checked against the archive size
 * before anything is inflated, inflation is capped at the declared size, CRCs are
 * verified, and ZIP64, spanning, encryption and exotic compression methods are refused
 * rather than half-supported. ZIPs kekkai *writes* come from zip.js (zip-sanitizer.ts).
 */
import { crc32, inflateRawSync } from 'node:zlib';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** One member as listed in the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  /** Unix symlink or other non-regular file (by external attributes). */
  isSpecial: boolean;
  /** Traditional PKWARE encryption, strong encryption, or WinZip AES (method 99). */
  encrypted: boolean;
}

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) return i;
  }
  return -1;
}

const sjis = new TextDecoder('shift_jis', { fatal: true });
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Japanese Windows writes member names in CP932 without the UTF-8 flag. */
function decodeName(raw: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return new TextDecoder('utf-8').decode(raw);
  try {
    return utf8.decode(raw);
  } catch {
    try {
      return sjis.decode(raw);
    } catch {
      return raw.toString('latin1');
    }
  }
}

/** Whether the bytes start like a ZIP (local header or empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 22 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/** List the members of a ZIP; refuses malformed, ZIP64 and over-long archives. */
export function listZip(bytes: Uint8Array, maxEntries: number): Outcome<ZipEntry[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 22) return refuse('malformed', 'zip: too short');
  const eocd = findEocd(buf);
  if (eocd < 0) return refuse('malformed', 'zip: no end of central directory');
  const disk = buf.readUInt16LE(eocd + 4);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (disk !== 0) return refuse('malformed', 'zip: spanned archives are not supported');
  if (count === 0xffff || cdOffset === 0xffffffff) return refuse('malformed', 'zip: ZIP64 is not supported');
  if (count > maxEntries) return refuse('too-many-members', `zip: ${count} members > ${maxEntries}`);
  if (cdOffset + cdSize > eocd) return refuse('malformed', 'zip: central directory out of bounds');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CDH_SIG) return refuse('malformed', 'zip: bad central directory entry');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const compressedSize = buf.readUInt32LE(p + 20);
    const uncompressedSize = buf.readUInt32LE(p + 24);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLen > eocd) return refuse('malformed', 'zip: name out of bounds');
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      return refuse('malformed', 'zip: ZIP64 is not supported');
    }
    const name = decodeName(buf.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    const unixType = (external >>> 16) & 0o170000;
    entries.push({
      name,
      method,
      compressedSize,
      uncompressedSize,
      crc32: buf.readUInt32LE(p + 16),
      localHeaderOffset,
      isDirectory: name.endsWith('/') || name.endsWith('\\'),
      isSpecial: unixType !== 0 && unixType !== 0o100000 && unixType !== 0o040000,
      encrypted: (flags & 0x1) !== 0 || (flags & 0x40) !== 0 || method === 99,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return pass(entries);
}

/** Read one member's bytes; inflation is capped at `maxBytes` and the declared size. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Outcome<Uint8Array> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.encrypted) return refuse('encrypted', `zip: member ${entry.name} is encrypted`);
  if (entry.uncompressedSize > maxBytes) return refuse('too-large', `zip: member ${entry.name} is ${entry.uncompressedSize} bytes`);
  const h = entry.localHeaderOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LFH_SIG) return refuse('malformed', `zip: bad local header for ${entry.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) return refuse('malformed', `zip: member ${entry.name} is truncated`);
  const raw = buf.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) {
    data = raw;
  } else if (entry.method === 8) {
    try {
      // +1 so that a member larger than declared is detected instead of silently cut.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize + 1) });
    } catch (err) {
      return refuse('malformed', `zip: member ${entry.name} does not inflate: ${(err as Error).message}`);
    }
  } else {
    return refuse('type-not-allowed', `zip: compression method ${entry.method} is not supported`);
  }
  if (data.length !== entry.uncompressedSize) return refuse('malformed', `zip: member ${entry.name} size differs from directory`);
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) return refuse('malformed', `zip: member ${entry.name} fails its CRC`);
  return pass(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
