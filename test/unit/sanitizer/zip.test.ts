import { describe, expect, it } from 'vitest';
import { listZip, readZipEntry } from '../../../sanitizer/zip-reader.js';
import { writeZip } from '../../../sanitizer/zip-writer.js';
import { encryptedZip, zipBomb } from '../../fixtures/sanitizer/hostile-files.js';

describe('zip reader and writer', () => {
  it('round-trips UTF-8 (Japanese) member names and contents', () => {
    const z = writeZip([
      { name: '書類/申請書.txt', bytes: new TextEncoder().encode('本文'.repeat(100)) },
      { name: 'b.bin', bytes: new Uint8Array([1, 2, 3]) },
    ]);
    const listed = listZip(z, 10);
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    expect(listed.value.map((e) => e.name)).toEqual(['書類/申請書.txt', 'b.bin']);
    const first = readZipEntry(z, listed.value[0]!, 1e6);
    expect(first.ok && new TextDecoder().decode(first.value)).toBe('本文'.repeat(100));
  });

  it('refuses more members than allowed before reading any', () => {
    const z = writeZip(Array.from({ length: 5 }, (_, i) => ({ name: `${i}.txt`, bytes: new Uint8Array([i]) })));
    expect(listZip(z, 4)).toMatchObject({ ok: false, block: { reason: 'too-many-members' } });
  });

  it('flags encrypted members and refuses to read them', () => {
    const listed = listZip(encryptedZip(), 10);
    expect(listed.ok && listed.value[0]!.encrypted).toBe(true);
    if (listed.ok) expect(readZipEntry(encryptedZip(), listed.value[0]!, 1e6)).toMatchObject({ ok: false, block: { reason: 'encrypted' } });
  });

  it('refuses a member larger than the cap without inflating it', () => {
    const bomb = zipBomb(10 * 1024 * 1024);
    const listed = listZip(bomb, 10);
    expect(listed.ok).toBe(true);
    if (listed.ok) expect(readZipEntry(bomb, listed.value[0]!, 1024 * 1024)).toMatchObject({ ok: false, block: { reason: 'too-large' } });
  });

  it('detects a member whose data does not match its CRC', () => {
    const z = Buffer.from(writeZip([{ name: 'a.txt', bytes: new Uint8Array(10).fill(65) }]));
    z.writeUInt8(z.readUInt8(35) ^ 0xff, 35); // first data byte (stored, as 10 bytes do not deflate smaller)
    const listed = listZip(z, 10);
    if (listed.ok) expect(readZipEntry(z, listed.value[0]!, 1e6)).toMatchObject({ ok: false, block: { reason: 'malformed' } });
    else expect.fail('listing failed');
  });

  it('refuses truncated archives', () => {
    const z = writeZip([{ name: 'a.txt', bytes: new Uint8Array(100) }]);
    expect(listZip(z.subarray(0, z.length - 10), 10)).toMatchObject({ ok: false, block: { reason: 'malformed' } });
  });
});
