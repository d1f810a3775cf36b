import { describe, expect, it } from 'vitest';
import { listZip, readZipEntry } from '../../../sanitizer/zip-reader.js';
import { encryptedZip, zipBomb, zipOf } from '../../fixtures/sanitizer/hostile-files.js';

describe('zip reader', () => {
  it('reads UTF-8 (Japanese) member names and contents', async () => {
    const z = await zipOf({ '書類/申請書.txt': '本文'.repeat(100), 'b.bin': new Uint8Array([1, 2, 3]) });
    const listed = listZip(z, 10);
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    expect(listed.value.map((e) => e.name)).toEqual(['書類/申請書.txt', 'b.bin']);
    const first = readZipEntry(z, listed.value[0]!, 1e6);
    expect(first.ok && new TextDecoder().decode(first.value)).toBe('本文'.repeat(100));
  });

  it('refuses more members than allowed before reading any', async () => {
    const z = await zipOf(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${i}.txt`, new Uint8Array([i])])));
    expect(listZip(z, 4)).toMatchObject({ ok: false, block: { reason: 'too-many-members' } });
  });

  it('flags encrypted members and refuses to read them', async () => {
    const z = await encryptedZip();
    const listed = listZip(z, 10);
    expect(listed.ok && listed.value[0]!.encrypted).toBe(true);
    if (listed.ok) expect(readZipEntry(z, listed.value[0]!, 1e6)).toMatchObject({ ok: false, block: { reason: 'encrypted' } });
  });

  it('refuses a member larger than the cap without inflating it', () => {
    const bomb = zipBomb(10 * 1024 * 1024);
    const listed = listZip(bomb, 10);
    expect(listed.ok).toBe(true);
    if (listed.ok) expect(readZipEntry(bomb, listed.value[0]!, 1024 * 1024)).toMatchObject({ ok: false, block: { reason: 'too-large' } });
  });

  it('detects a member whose data does not match its CRC', async () => {
    const z = Buffer.from(await zipOf({ 'a.txt': new Uint8Array(10).fill(65) }));
    const cd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    z.writeUInt32LE(z.readUInt32LE(cd + 16) ^ 1, cd + 16); // the CRC in the central directory
    const listed = listZip(z, 10);
    if (listed.ok) expect(readZipEntry(z, listed.value[0]!, 1e6)).toMatchObject({ ok: false, block: { reason: 'malformed', detail: expect.stringContaining('CRC') } });
    else expect.fail('listing failed');
  });

  it('refuses truncated archives', async () => {
    const z = await zipOf({ 'a.txt': new Uint8Array(100) });
    expect(listZip(z.subarray(0, z.length - 10), 10)).toMatchObject({ ok: false, block: { reason: 'malformed' } });
  });
});
