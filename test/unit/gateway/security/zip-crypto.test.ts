import { describe, expect, it } from 'vitest';
import { crc32, encryptedZip, METHOD_DEFLATE, METHOD_STORED } from '../../../../gateway/security/zip-crypto.js';
import { readEncryptedZip } from './zip-reader.js';

describe('crc32', () => {
  it('matches the published check value and the empty input', async () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });
});

describe('encryptedZip', () => {
  const text = Buffer.from('検体 sample '.repeat(200));
  const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));

  it('round-trips compressible and incompressible entries with the right password', async () => {
    const zip = await encryptedZip([{ name: '報告.txt', data: text }, { name: 'blob.bin', data: random }], 'infected');
    const entries = readEncryptedZip(zip, 'infected');
    expect(entries.map((e) => e.name)).toEqual(['報告.txt', 'blob.bin']);
    expect(entries[0]!.data.equals(text)).toBe(true);
    expect(entries[0]!.method).toBe(METHOD_DEFLATE);
    expect(entries[1]!.data.equals(random)).toBe(true);
    expect(entries.every((e) => (e.flags & 1) === 1)).toBe(true);
    // Encryption really happened: the plain text is nowhere in the archive.
    expect(zip.includes(Buffer.from('sample sample'))).toBe(false);
  });

  it('stores an empty file and tiny files', async () => {
    const zip = await encryptedZip([{ name: 'empty', data: new Uint8Array() }, { name: 'x', data: Buffer.from('x') }], 'infected');
    const [empty, x] = readEncryptedZip(zip, 'infected');
    expect(empty!.data.length).toBe(0);
    expect(x!.method).toBe(METHOD_STORED);
    expect(x!.data.toString()).toBe('x');
  });

  it('does not open with another password', async () => {
    const zip = await encryptedZip([{ name: 'a.txt', data: text }], 'infected');
    expect(() => readEncryptedZip(zip, 'infected2')).toThrow();
    expect(() => readEncryptedZip(zip, '')).toThrow();
  });
});

