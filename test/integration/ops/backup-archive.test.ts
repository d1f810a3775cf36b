/** The ustar writer/reader: round trip, and refusal of names that would leave the data directory. */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, TarWriter, checkMemberName, listMembers, readMemberBuffer } from '../../../gateway/ops/backup-archive.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-tar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('backup archive', () => {
  it('reads back what it wrote, including long names and empty files', () => {
    const src = path.join(dir, 'src.bin');
    writeFileSync(src, Buffer.alloc(1300, 7));
    const long = `quarantine/${'a'.repeat(60)}/${'b'.repeat(70)}.bin`;
    const tar = path.join(dir, 'x.tar');
    const w = new TarWriter(tar);
    const written = [w.addFile('kekkai.db', src), w.addBuffer(long, Buffer.from('hello')), w.addBuffer('keys/empty', Buffer.alloc(0))];
    w.finish();
    const fd = openSync(tar, 'r');
    try {
      const members = listMembers(fd);
      expect(members.map((m) => [m.path, m.size])).toEqual(written.map((m) => [m.path, m.size]));
      expect(readMemberBuffer(fd, members[1]!).toString()).toBe('hello');
      expect(readMemberBuffer(fd, members[0]!).equals(Buffer.alloc(1300, 7))).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('refuses names that are absolute, climb out, or hide control characters', () => {
    for (const name of ['/etc/passwd', '../kekkai.db', 'keys/../../x', 'keys//a', './kekkai.db', 'keys\\a', 'keys/a\nb', '']) {
      expect(() => checkMemberName(name), name).toThrow(ArchiveError);
    }
    expect(() => checkMemberName('quarantine/ab/abc.bin')).not.toThrow();
  });

  it('does not overwrite an existing archive file', () => {
    const tar = path.join(dir, 'x.tar');
    writeFileSync(tar, 'keep');
    expect(() => new TarWriter(tar)).toThrow(/EEXIST/);
  });
});
