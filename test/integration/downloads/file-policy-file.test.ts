import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFilePolicy } from '../../../gateway/downloads/download-setup.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-fp-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('KEKKAI_FILE_POLICY file', () => {
  it('gives the built-in defaults without a file and per-role policies with one', () => {
    expect(loadFilePolicy(undefined)('staff')).toEqual(DEFAULT_FILE_POLICY);
    const file = path.join(dir, 'files.yaml');
    writeFileSync(file, 'allowedGroups: [pdf]\nroles:\n  security:\n    allowedGroups: [pdf, archive]\n');
    const policy = loadFilePolicy(file);
    expect(policy('staff').allowedGroups).toEqual(['pdf']);
    expect(policy(null).allowedGroups).toEqual(['pdf']);
    expect(policy('security').allowedGroups).toEqual(['pdf', 'archive']);
  });

  it('stops with a message naming the setting and the bad key', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'pdfDpi: 9000\n');
    expect(() => loadFilePolicy(file)).toThrow(/KEKKAI_FILE_POLICY.*pdfDpi/);
  });
});
