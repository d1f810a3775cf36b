/**
 * A minimal POSIX ustar writer and reader for kekkai backups: regular files only,
 * read and written with positional I/O in 1 MiB chunks so that large databases
 * and quarantine blobs never sit in memory. Any standard `tar` can list and
 * extract the archives (`tar -tvf backup.kekkai`). The reader refuses every member
 * type other than a regular file (no links, devices or directories) and every
 * name that could leave the target directory.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const BLOCK = 512;
const CHUNK = 1024 * 1024;

export class ArchiveError extends Error {
  readonly code = 'KEKKAI_ERR_BACKUP_ARCHIVE';
}

export interface WrittenMember {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Refuses names that are absolute, contain `..`, `.`, empty segments, backslashes
 * or control characters: a restored member must land inside the data directory.
 */
export function checkMemberName(name: string): void {
  const bad = (why: string): never => {
    throw new ArchiveError(`refused archive member "${name}": ${why}`);
  };
  if (!name) bad('empty name');
  if (name.startsWith('/')) bad('absolute path');
  if (name.includes('\\')) bad('backslash in name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) bad('control character in name');
  for (const segment of name.split('/')) {
    if (segment === '..') bad('path traversal ("..")');
    if (segment === '' || segment === '.') bad('empty or "." path segment');
  }
}

export class TarWriter {
  private readonly fd: number;
  private position = 0;

  constructor(file: string) {
    // 'wx': never overwrite; 0600: archives hold keys and password hashes.
    this.fd = openSync(file, 'wx', 0o600);
  }

  /** Copies a file from disk into the archive, hashing what is written. */
  addFile(name: string, source: string, mtime = new Date()): WrittenMember {
    const src = openSync(source, 'r');
    try {
      const size = fstatSync(src).size;
      this.write(header(name, size, mtime));
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      let done = 0;
      while (done < size) {
        const n = readSync(src, buf, 0, Math.min(CHUNK, size - done), done);
        if (n === 0) throw new ArchiveError(`${source} shrank while it was being archived`);
        hash.update(buf.subarray(0, n));
        this.write(buf.subarray(0, n));
        done += n;
      }
      this.pad(size);
      return { path: name, size, sha256: hash.digest('hex') };
    } finally {
      closeSync(src);
    }
  }

  addBuffer(name: string, data: Buffer, mtime = new Date()): WrittenMember {
    this.write(header(name, data.length, mtime));
    this.write(data);
    this.pad(data.length);
    return { path: name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /** Writes the two zero blocks that end a tar archive and closes the file. */
  finish(): void {
    this.write(Buffer.alloc(BLOCK * 2));
    closeSync(this.fd);
  }

  abort(): void {
    closeSync(this.fd);
  }

  private pad(size: number): void {
    const rest = size % BLOCK;
    if (rest) this.write(Buffer.alloc(BLOCK - rest));
  }

  private write(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      const n = writeSync(this.fd, data, off, data.length - off, this.position);
      off += n;
      this.position += n;
    }
  }
}

function header(name: string, size: number, mtime: Date): Buffer {
  checkMemberName(name);
  const h = Buffer.alloc(BLOCK);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= 100) {
    bytes.copy(h, 0);
  } else {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new ArchiveError(`archive member name too long: ${name}`);
    }
    h.write(name.slice(cut + 1), 0, 'utf8');
    h.write(name.slice(0, cut), 345, 'utf8');
  }
  h.write('0000600\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  writeSize(h, size);
  h.write(`${Math.floor(mtime.getTime() / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function writeSize(h: Buffer, size: number): void {
  if (size < 8 ** 11) {
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    return;
  }
  // GNU base-256 for members of 8 GiB and more.
  h[124] = 0x80;
  let v = BigInt(size);
  for (let i = 135; i > 124; i--) {
    h[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function readSize(h: Buffer): number {
  if ((h[124]! & 0x80) !== 0) {
    let v = 0n;
    for (let i = 125; i < 136; i++) v = (v << 8n) | BigInt(h[i]!);
    return Number(v);
  }
  return parseOctal(h.subarray(124, 136), 'size');
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

function parseOctal(field: Buffer, what: string): number {
  const text = field.toString('ascii').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError(`not a kekkai backup (bad tar ${what} field)`);
  return parseInt(text, 8);
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

export interface ArchiveMember {
  path: string;
  size: number;
  /** Offset of the member's data in the archive file. */
  offset: number;
}

/** Lists the members of an archive (validating headers and names), reading no data. */
export function listMembers(fd: number): ArchiveMember[] {
  const total = fstatSync(fd).size;
  const members: ArchiveMember[] = [];
  const h = Buffer.alloc(BLOCK);
  let pos = 0;
  for (;;) {
    if (pos + BLOCK > total || readSync(fd, h, 0, BLOCK, pos) !== BLOCK) throw new ArchiveError('archive is truncated');
    if (h.every((b) => b === 0)) return members;
    if (parseOctal(h.subarray(148, 156), 'checksum') !== checksum(h)) throw new ArchiveError(`archive header at byte ${pos} is corrupt (checksum)`);
    const prefix = h.subarray(257, 263).toString('ascii') === 'ustar\0' ? cString(h.subarray(345, 500)) : '';
    const base = cString(h.subarray(0, 100));
    const name = prefix ? `${prefix}/${base}` : base;
    checkMemberName(name);
    const type = String.fromCharCode(h[156]!);
    if (type !== '0' && type !== '\0') throw new ArchiveError(`refused archive member "${name}": not a regular file (type "${type}")`);
    const size = readSize(h);
    const offset = pos + BLOCK;
    if (offset + size > total) throw new ArchiveError('archive is truncated');
    members.push({ path: name, size, offset });
    pos = offset + Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** Streams a member's data to `sink` in chunks and returns its SHA-256 (hex). */
export function readMember(fd: number, member: ArchiveMember, sink?: (chunk: Buffer) => void): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(member.size, 1)));
  let done = 0;
  while (done < member.size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, member.size - done), member.offset + done);
    if (n === 0) throw new ArchiveError('archive is truncated');
    const chunk = buf.subarray(0, n);
    hash.update(chunk);
    sink?.(chunk);
    done += n;
  }
  return hash.digest('hex');
}

/** Reads a (small) member into memory. */
export function readMemberBuffer(fd: number, member: ArchiveMember): Buffer {
  const parts: Buffer[] = [];
  readMember(fd, member, (chunk) => parts.push(Buffer.from(chunk)));
  return Buffer.concat(parts);
}
