/** Backup archives through node-tar: round trip, and refusal of what a damaged or altered archive can hold. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, appendToArchive, checkMemberName, readArchive, writeArchive } from '../../../gateway/ops/backup-archive.js';
import { craftArchive } from '../../fixtures/ops/craft-archive.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-tar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function source(name: string, data: Buffer): string {
  const file = path.join(dir, 'src', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/** Every member's data, read through readArchive's sink. */
function contents(file: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  readArchive(file, (name) => {
    const chunks: Buffer[] = [];
    return { write: (c) => chunks.push(Buffer.from(c)), end: () => found.set(name, Buffer.concat(chunks)) };
  });
  return found;
}

describe('backup archive', () => {
  it('reads back what it wrote, including long names, empty files and appended members', async () => {
    const big = Buffer.alloc(1300, 7);
    const long = `quarantine/${'a'.repeat(60)}/${'b'.repeat(70)}.bin`;
    const longer = `quarantine/${'c'.repeat(120)}/${'d'.repeat(150)}.bin`; // beyond ustar's 255: a pax header
    const tar = path.join(dir, 'x.tar');
    await writeArchive(tar, [
      { name: 'kekkai.db', source: source('db', big) },
      { name: long, source: source('long', Buffer.from('hello')) },
      { name: longer, source: source('longer', Buffer.from('world')) },
      { name: 'keys/empty', source: source('empty', Buffer.alloc(0)) },
    ]);
    await appendToArchive(tar, [{ name: 'kekkai-backup.json', source: source('manifest', Buffer.from('{}')) }]);
    expect(readArchive(tar)).toEqual([
      { path: 'kekkai.db', size: 1300, sha256: sha256(big) },
      { path: long, size: 5, sha256: sha256(Buffer.from('hello')) },
      { path: longer, size: 5, sha256: sha256(Buffer.from('world')) },
      { path: 'keys/empty', size: 0, sha256: sha256(Buffer.alloc(0)) },
      { path: 'kekkai-backup.json', size: 2, sha256: sha256(Buffer.from('{}')) },
    ]);
    const data = contents(tar);
    expect(data.get('kekkai.db')?.equals(big)).toBe(true);
    expect(data.get(longer)?.toString()).toBe('world');
    expect(data.get('keys/empty')?.length).toBe(0);
    // Any tar lists it, every member a regular file with mode 0600.
    const listing = execFileSync('tar', ['-tvf', tar], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toHaveLength(5);
    expect(listing.every((l) => l.startsWith('-rw------- '))).toBe(true);
  });

  it('refuses names that are absolute, climb out, or hide control characters', async () => {
    for (const name of ['/etc/passwd', '../kekkai.db', 'keys/../../x', 'keys//a', './kekkai.db', 'keys\\a', 'keys/a\nb', '']) {
      expect(() => checkMemberName(name), name).toThrow(ArchiveError);
    }
    expect(() => checkMemberName('quarantine/ab/abc.bin')).not.toThrow();
    for (const name of ['/etc/passwd', '../kekkai.db', 'keys/../../x', 'keys\\a', 'keys/a\nb']) {
      const tar = path.join(dir, `${sha256(Buffer.from(name))}.tar`);
      await craftArchive(tar, [['kekkai.db', 'x'], [name, 'evil']]);
      expect(() => readArchive(tar), JSON.stringify(name)).toThrow(/refused archive member/);
    }
  });

  it('refuses links and directories', async () => {
    mkdirSync(path.join(dir, 'tree', 'keys'), { recursive: true });
    writeFileSync(path.join(dir, 'tree', 'keys', 'a.key'), 'k');
    symlinkSync('/etc/passwd', path.join(dir, 'tree', 'kekkai.db'));
    const links = path.join(dir, 'links.tar');
    await create({ file: links, cwd: path.join(dir, 'tree') }, ['kekkai.db']);
    expect(() => readArchive(links)).toThrow(/"kekkai\.db": not a regular file \(SymbolicLink\)/);
    const dirs = path.join(dir, 'dirs.tar');
    await create({ file: dirs, cwd: path.join(dir, 'tree') }, ['keys']);
    expect(() => readArchive(dirs)).toThrow(/refused archive member "keys\/"/);
  });

  it('refuses a truncated archive and a damaged header', async () => {
    const tar = path.join(dir, 'x.tar');
    await writeArchive(tar, [{ name: 'kekkai.db', source: source('db', Buffer.alloc(3000, 1)) }]);
    const bytes = readFileSync(tar);
    writeFileSync(path.join(dir, 'short.tar'), bytes.subarray(0, 2000));
    expect(() => readArchive(path.join(dir, 'short.tar'))).toThrow(/damaged.*Truncated/);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt8(damaged.readUInt8(3) ^ 0x01, 3); // in the member's name: the header checksum no longer matches
    writeFileSync(path.join(dir, 'damaged.tar'), damaged);
    expect(() => readArchive(path.join(dir, 'damaged.tar'))).toThrow(ArchiveError);
    writeFileSync(path.join(dir, 'garbage.tar'), Buffer.from('not a tar file '.repeat(100)));
    expect(() => readArchive(path.join(dir, 'garbage.tar'))).toThrow(/damaged or not a kekkai backup/);
  });

  it('does not overwrite an existing archive file', async () => {
    const tar = path.join(dir, 'x.tar');
    writeFileSync(tar, 'keep');
    await expect(writeArchive(tar, [{ name: 'kekkai.db', source: source('db', Buffer.from('x')) }])).rejects.toThrow(/EEXIST/);
    expect(readFileSync(tar, 'utf8')).toBe('keep');
  });
});
