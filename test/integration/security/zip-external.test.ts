/** The analysis ZIP opens in other tools with "infected" and not with another password. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAnalysisZip } from '../../../gateway/security/analysis-zip.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const text = Buffer.from('検体 sample '.repeat(200));
const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));

/** Analysis ZIPs of a compressible Japanese-named text and of incompressible bytes. */
async function writeZips(): Promise<Array<{ file: string; name: string; data: Buffer }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-zip-'));
  dirs.push(dir);
  const samples = [{ name: '報告.txt', data: text }, { name: 'blob.bin', data: random }];
  return Promise.all(
    samples.map(async (s, i) => {
      const file = path.join(dir, `sample${i}.zip`);
      writeFileSync(file, await writeAnalysisZip(s.name, s.data, new Date()));
      return { file, ...s };
    }),
  );
}

describe('analysis ZIP in external tools', () => {
  it.runIf(has('python3', ['-c', 'import zipfile']))('Python zipfile reads it with "infected" and refuses "wrong"', async () => {
    const script = 'import sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n  print(n, hashlib.sha256(z.read(n, pwd=sys.argv[2].encode())).hexdigest())';
    for (const { file, name, data } of await writeZips()) {
      const out = execFileSync('python3', ['-c', script, file, 'infected'], { encoding: 'utf8' });
      expect(out.trim()).toBe(`${name} ${sha(data)}`);
      // ZipCrypto's one-byte check lets about 1 wrong password in 256 past the header;
      // such a password then fails at inflate or CRC instead — still refused.
      expect(() => execFileSync('python3', ['-c', script, file, 'wrong'], { stdio: 'pipe' })).toThrow(/password|Bad|CRC|decompress|Error -3/i);
    }
  });

  it.runIf(has('unzip', ['-v']))('Info-ZIP unzip tests it with "infected" and fails with "wrong"', async () => {
    for (const { file } of await writeZips()) {
      expect(execFileSync('unzip', ['-t', '-P', 'infected', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
      expect(() => execFileSync('unzip', ['-t', '-P', 'wrong', file], { stdio: 'pipe' })).toThrow();
    }
  });
});
