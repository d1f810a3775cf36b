import { describe, expect, it } from 'vitest';
import { checkName, outputName } from '../../../sanitizer/file-name.js';

describe('checkName', () => {
  it('blocks a right-to-left override that disguises an executable', () => {
    const r = checkName('invoice\u202Efdp.exe');
    expect(r).toMatchObject({ ok: false, block: { reason: 'deceptive-name' } });
    if (!r.ok) expect(r.block.detail).toContain('U+202E');
  });

  it.each(['a\u200Bb.pdf', 'report\u2066.pdf', 'x\u200F.pdf', 'tab\there.pdf', 'bom\uFEFF.pdf', 'line\u2028.pdf'])('blocks invisible or control characters in %j', (name) => {
    expect(checkName(name)).toMatchObject({ ok: false, block: { reason: 'deceptive-name' } });
  });

  it('accepts Japanese names and splits the extension', () => {
    expect(checkName('診療報酬明細書 2024年度.XLSX')).toEqual({ ok: true, value: { base: '診療報酬明細書 2024年度', ext: 'xlsx' } });
  });

  it('takes the last path component and ignores trailing dots', () => {
    expect(checkName('..\\..\\evil/dir/form.pdf.')).toEqual({ ok: true, value: { base: 'form', ext: 'pdf' } });
    expect(checkName('.bashrc')).toEqual({ ok: true, value: { base: '.bashrc', ext: '' } });
  });
});

describe('outputName', () => {
  it('keeps the base name and puts the new extension (form.xlsx → form.pdf)', () => {
    expect(outputName({ base: 'form', ext: 'xlsx' }, 'pdf')).toBe('form.pdf');
    expect(outputName({ base: 'scan', ext: 'bmp' }, 'png')).toBe('scan.png');
  });

  it("keeps the user's spelling of an equivalent extension", () => {
    expect(outputName({ base: 'photo', ext: 'jpeg' }, 'jpg')).toBe('photo.jpeg');
    expect(outputName({ base: 'list', ext: 'tsv' }, 'csv')).toBe('list.tsv');
  });

  it('replaces characters Windows cannot store and names nameless files', () => {
    expect(outputName({ base: 'a:b*c', ext: 'pdf' }, 'pdf')).toBe('a_b_c.pdf');
    expect(outputName({ base: '', ext: '' }, 'pdf')).toBe('download.pdf');
  });
});
