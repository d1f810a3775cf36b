/** `kekkai sanitize` runs the download pipeline on local files (USB import). */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSanitize, type SanitizeLine } from '../../../gateway/cli/sanitize-command.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { startPrivateClamd, type PrivateClamd } from '../sanitizer/private-clamd.js';

const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
let clamd: PrivateClamd;
let dir: string;

beforeAll(async () => {
  clamd = await startPrivateClamd();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-sanitize-'));
});
afterAll(async () => {
  await clamd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], clamdAddress: string): Promise<{ code: number; lines: SanitizeLine[] }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  try {
    const config = loadConfig({ env: {}, overrides: { dataDir: path.join(dir, 'data'), clamd: clamdAddress } });
    const code = await runSanitize(args, config);
    return { code, lines: out.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SanitizeLine) };
  } finally {
    spy.mockRestore();
  }
}

describe('kekkai sanitize', () => {
  it('writes only rebuilt files and prints one JSON verdict per input', async () => {
    const outDir = path.join(dir, 'out');
    writeFileSync(path.join(dir, 'eicar.txt'), EICAR);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).png().toBuffer();
    writeFileSync(path.join(dir, 'photo.png'), png);
    writeFileSync(path.join(dir, 'fake.pdf'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]));
    const files = ['photo.png', 'eicar.txt', 'fake.pdf'].map((f) => path.join(dir, f));
    const { code, lines } = await run([...files, '--out', outDir, '--json'], clamd.socket);
    expect(code).toBe(0);
    expect(lines.map((l) => [path.basename(l.input), l.verdict])).toEqual([
      ['photo.png', 'sanitized'],
      ['eicar.txt', 'blocked'],
      ['fake.pdf', 'blocked'],
    ]);
    expect(lines[1]!.signature).toMatch(/Eicar/i);
    expect(lines[2]!.reason).toBe('type-mismatch');
    expect(lines[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Only the rebuilt image reached the output directory, re-encoded.
    expect(readdirSync(outDir)).toEqual([path.basename(lines[0]!.output!)]);
    const meta = await sharp(readFileSync(lines[0]!.output!)).metadata();
    expect([meta.width, meta.height]).toEqual([40, 30]);
  });

  it('blocks every file as scanner-unavailable when clamd cannot be reached', async () => {
    writeFileSync(path.join(dir, 'note.txt'), 'plain text');
    const { code, lines } = await run([path.join(dir, 'note.txt'), '--out', path.join(dir, 'out2'), '--json'], path.join(dir, 'no-such.sock'));
    expect(code).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ verdict: 'blocked', reason: 'scanner-unavailable', output: null })]);
  });

  it('refuses a call without --out or files', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect((await run(['--json'], clamd.socket)).code).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
