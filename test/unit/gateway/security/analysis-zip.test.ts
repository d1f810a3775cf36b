import { describe, expect, it } from 'vitest';
import { ANALYSIS_PASSWORD, writeAnalysisZip } from '../../../../gateway/security/analysis-zip.js';
import { unzip } from '../../../fixtures/security/unzip.js';

const text = Buffer.from('検体 sample '.repeat(200));
const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
const when = new Date('2026-11-27T13:05:00+09:00');

describe('analysis ZIP', () => {
  it('holds the original under its name, ZipCrypto-encrypted with "infected"', async () => {
    for (const original of [text, random, Buffer.alloc(0), Buffer.from('x')]) {
      const zip = await writeAnalysisZip('報告.txt', original, when);
      const [entry, ...rest] = await unzip(zip, ANALYSIS_PASSWORD);
      expect(rest).toEqual([]);
      expect(entry).toMatchObject({ name: '報告.txt', zipCrypto: true });
      expect(entry!.data.equals(original)).toBe(true);
    }
    expect(ANALYSIS_PASSWORD).toBe('infected');
  });

  it('does not show the plain text and does not open with another password', async () => {
    const zip = await writeAnalysisZip('a.txt', text, when);
    expect(zip.includes(Buffer.from('sample sample'))).toBe(false);
    await expect(unzip(zip, 'infected2')).rejects.toThrow();
    await expect(unzip(zip, '')).rejects.toThrow();
    await expect(unzip(zip)).rejects.toThrow();
  });
});
