/**
 * The analysis ZIP: a quarantined original handed to analysts the usual way, in a ZIP
 * encrypted with the password `infected`, so no scanner or mail filter on the way touches
 * the sample and nobody opens it by accident. The encryption is ZipCrypto (traditional
 * PKWARE), which every analysis tool opens (7-Zip, Info-ZIP unzip, Python's zipfile); it
 * is weak cryptography, a safety wrapper and not secrecy. Written with zip.js.
 */
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';

export const ANALYSIS_PASSWORD = 'infected';

/** One entry, `entryName` (a plain base name), holding `original`, encrypted with ZipCrypto. */
export async function writeAnalysisZip(entryName: string, original: Uint8Array, modified: Date): Promise<Buffer> {
  const zip = new ZipWriter(new Uint8ArrayWriter(), { password: ANALYSIS_PASSWORD, zipCrypto: true, useWebWorkers: false });
  // 0600: a regular file, never executable, when an analyst extracts it.
  await zip.add(entryName, new Uint8ArrayReader(original), { lastModDate: modified, unixMode: 0o600 });
  const bytes = await zip.close();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
