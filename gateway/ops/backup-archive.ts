/**
 * Backup archives are plain tar files (`tar -tvf backup.kekkai` lists them), written and
 * read with node-tar, chunk by chunk, so large databases and quarantine blobs never sit
 * in memory. Archives from kekkai's earlier hand-written ustar writer read the same way.
 *
 * Restore reads an archive that is at worst damaged or altered, so the reader accepts
 * regular files only (no links, devices or directories), refuses every name that could
 * leave the data directory, and treats every tar warning (bad checksum, truncation,
 * unknown format) as an error. Sizes and SHA-256 are then checked against the manifest
 * (restore.ts).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { create, list, replace, type WriteEntry } from 'tar';

export class ArchiveError extends Error {
  readonly code = 'KEKKAI_ERR_BACKUP_ARCHIVE';
}

/** A file on disk and its name in the archive. */
export interface ArchiveFile {
  name: string;
  source: string;
}

/** A member as found in an archive: its name, size and the SHA-256 of its data. */
export interface ArchiveMember {
  path: string;
  size: number;
  sha256: string;
}

/** Where a member's data goes while the archive is read; `end` follows the last chunk. */
export interface MemberSink {
  write(chunk: Buffer): void;
  end(): void;
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

/** node-tar options that store each source file under its member name, mode 0600, no owner. */
function packOptions(files: readonly ArchiveFile[]) {
  const names = new Map(files.map((f) => [path.resolve(f.source), f.name]));
  for (const name of names.values()) checkMemberName(name);
  return {
    portable: true,
    // Follow symbolic links in the data directory: the archive holds the files themselves.
    follow: true,
    // Sources are absolute paths; the member name replaces them below.
    preservePaths: true,
    onWriteEntry(entry: WriteEntry) {
      const name = names.get(entry.absolute);
      if (name === undefined) throw new ArchiveError(`unexpected archive entry ${entry.absolute}`);
      entry.path = name;
      // Archives hold keys and password hashes: whoever extracts one by hand gets 0600 files.
      if (entry.stat) entry.stat.mode = 0o100600;
    },
  };
}

/** Writes the files into a new archive `out`: never overwrites, mode 0600. */
export async function writeArchive(out: string, files: readonly ArchiveFile[]): Promise<void> {
  const pack = create(packOptions(files), files.map((f) => path.resolve(f.source)));
  await pipeline(pack, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
}

/** Appends files to an archive written by writeArchive (before its end-of-archive blocks). */
export async function appendToArchive(archive: string, files: readonly ArchiveFile[]): Promise<void> {
  await replace({ file: archive, ...packOptions(files) }, files.map((f) => path.resolve(f.source)));
}

/**
 * Reads the whole archive once, in order, hashing every member's data; `sink` may ask
 * for a member's data (it is called with the name and size before any data arrives).
 * Throws ArchiveError for a refused member or a damaged archive.
 */
export function readArchive(file: string, sink?: (name: string, size: number) => MemberSink | undefined): ArchiveMember[] {
  const members: ArchiveMember[] = [];
  try {
    list({
      file,
      sync: true,
      strict: true,
      onReadEntry(entry) {
        checkMemberName(entry.path);
        if (entry.type !== 'File' && entry.type !== 'OldFile') throw new ArchiveError(`refused archive member "${entry.path}": not a regular file (${entry.type})`);
        const size = entry.size;
        const hash = createHash('sha256');
        const out = sink?.(entry.path, size);
        entry.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          out?.write(chunk);
        });
        entry.on('end', () => {
          out?.end();
          members.push({ path: entry.path, size, sha256: hash.digest('hex') });
        });
      },
    });
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    const code = (err as { code?: string }).code;
    if (code?.startsWith('TAR_')) throw new ArchiveError(`archive is damaged or not a kekkai backup: ${(err as Error).message}`);
    throw err;
  }
  return members;
}
