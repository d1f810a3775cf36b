import { describe, expect, it } from 'vitest';
import { hasFormulaUnderAnySeparator } from '../../../sanitizer/csv-neutralizer.js';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import { fakeDeps } from '../../unit/sanitizer/fakes.js';

/**
 * Security review: a CSV cell of tabs made the neutraliser rescan the blanks after each
 * tab (quadratic; ~1 MB blocked the gateway's event loop for minutes). These run the
 * whole text/CSV path — detection, decoding, neutralisation, the re-check — on 2 MiB
 * hostile inputs. The linear-work check itself is in test/unit/sanitizer/csv-and-text.test.ts;
 * this one only has to finish (vitest's timeout is generous on purpose, not a speed claim).
 */
const MiB2 = 2 * 1024 * 1024;
const fill = (head: string, unit: string): Uint8Array => new TextEncoder().encode(head + unit.repeat(Math.ceil((MiB2 - head.length) / unit.length)));
const dec = (b: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);

describe('CSV and text path on 2 MiB hostile inputs', () => {
  it.each([
    ['a cell of tabs', 'report.csv', fill('a,b\n', '\t')],
    ['tabs, each run ending in a formula', 'report.csv', fill('a,b\n', '\t\t\t\t=cmd|A0')],
    ['a quoted cell of line breaks', 'report.csv', fill('a,"', '\r\n')],
    ['a TSV of empty cells before =cmd', 'report.tsv', fill('a\tb\n', '\t\t\t=1+1\n')],
    ['blanks and semicolons', 'report.csv', fill('a,b\n', ';\u3000 \t')],
  ])('rebuilds %s and leaves no formula', async (_name, name, bytes) => {
    const v = await sanitize({ name, bytes }, parseFilePolicy({}), fakeDeps());
    expect(v.verdict === 'sanitized' ? v.output.name : `${v.verdict}: ${v.detail}`).toBe(name);
    if (v.verdict !== 'sanitized') return;
    expect(hasFormulaUnderAnySeparator(dec(v.output.bytes).replace(/^\uFEFF/, ''))).toBe(false);
  }, 120_000);

  it('rebuilds 2 MiB of tabs as plain text', async () => {
    const v = await sanitize({ name: 'notes.txt', bytes: fill('x\n', '\t') }, parseFilePolicy({}), fakeDeps());
    expect(v.verdict === 'sanitized' ? v.output.bytes.length : v.detail).toBe(MiB2);
  }, 120_000);
});
