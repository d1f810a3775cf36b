/**
 * Just enough of the OLE2 / Compound File Binary format to list directory entry names,
 * which tells a Word, Excel or PowerPoint 97-2003 file from an installer (MSI), an
 * Outlook message or a password-protected OOXML package, and whether VBA macros are
 * present. Every read is bounds-checked and every chain walk is bounded.
 */

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const END_OF_CHAIN = 0xfffffffe;
const MAX_REGULAR_SECTOR = 0xfffffffa;

/** Whether the bytes start with the OLE2 signature. */
export function isOle2(bytes: Uint8Array): boolean {
  return bytes.length >= 512 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Names of all directory entries (streams and storages), or null when malformed. */
export function listOle2Names(bytes: Uint8Array): string[] | null {
  if (!isOle2(bytes)) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = buf.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const size = 1 << shift;
  const sectorCount = Math.floor(buf.length / size);
  const sector = (n: number): Buffer | null => {
    const off = (n + 1) * size;
    return n <= MAX_REGULAR_SECTOR && off + size <= buf.length ? buf.subarray(off, off + size) : null;
  };
  // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(buf.readUInt32LE(0x4c + i * 4));
  let difat = buf.readUInt32LE(0x44);
  for (let guard = 0; difat <= MAX_REGULAR_SECTOR && guard < sectorCount; guard++) {
    const s = sector(difat);
    if (!s) return null;
    for (let i = 0; i < size / 4 - 1; i++) fatSectors.push(s.readUInt32LE(i * 4));
    difat = s.readUInt32LE(size - 4);
  }
  const fat: number[] = [];
  for (const fs of fatSectors) {
    if (fs > MAX_REGULAR_SECTOR) continue;
    const s = sector(fs);
    if (!s) return null;
    for (let i = 0; i < size / 4; i++) fat.push(s.readUInt32LE(i * 4));
  }
  const names: string[] = [];
  let dir = buf.readUInt32LE(0x30);
  for (let guard = 0; dir !== END_OF_CHAIN; guard++) {
    if (guard > sectorCount) return null;
    const s = sector(dir);
    if (!s) return null;
    for (let e = 0; e + 128 <= size; e += 128) {
      const type = s[e + 0x42];
      const len = s.readUInt16LE(e + 0x40);
      if (type === 0 || len < 2 || len > 64) continue;
      names.push(s.subarray(e, e + len - 2).toString('utf16le'));
    }
    const next = fat[dir];
    if (next === undefined) return null;
    dir = next;
  }
  return names;
}

/** What an OLE2 file is, from its directory entry names. */
export interface Ole2Kind {
  kind: 'doc' | 'xls' | 'ppt' | 'encrypted-package' | 'other';
  macros: boolean;
}

const MACRO_NAMES = new Set(['_VBA_PROJECT_CUR', '_VBA_PROJECT', 'Macros', 'VBA', 'PROJECT']);

/** Classify an OLE2 file; null when it is not a well-formed OLE2 file. */
export function classifyOle2(bytes: Uint8Array): Ole2Kind | null {
  const names = listOle2Names(bytes);
  if (!names) return null;
  const has = (n: string): boolean => names.includes(n);
  const macros = names.some((n) => MACRO_NAMES.has(n));
  if (has('EncryptedPackage') || has('EncryptionInfo')) return { kind: 'encrypted-package', macros };
  if (has('WordDocument')) return { kind: 'doc', macros };
  if (has('Workbook') || has('Book')) return { kind: 'xls', macros };
  if (has('PowerPoint Document')) return { kind: 'ppt', macros };
  return { kind: 'other', macros };
}
