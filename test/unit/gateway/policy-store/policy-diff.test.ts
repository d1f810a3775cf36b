import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff } from '../../../../gateway/policy-store/policy-diff.js';

const render = (a: string, b: string): string[] => diffLines(a, b).map((d) => `${d.op}${d.text}`);

describe('diffLines (console and API)', () => {
  it('marks identical texts unchanged', () => {
    expect(render('a\nb\n', 'a\nb\n')).toEqual([' a', ' b']);
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('finds one changed line in the middle', () => {
    expect(render('default: allow\nrules:\n  - id: a\n    action: block\n', 'default: allow\nrules:\n  - id: a\n    action: warn\n')).toEqual([
      ' default: allow',
      ' rules:',
      '   - id: a',
      '-    action: block',
      '+    action: warn',
    ]);
  });

  it('keeps the longest common subsequence when lines move', () => {
    expect(render('a\nb\nc\nd', 'b\nc\nd\na')).toEqual(['-a', ' b', ' c', ' d', '+a']);
    expect(render('x\na\ny\nb\nz', 'a\nb')).toEqual(['-x', ' a', '-y', ' b', '-z']);
  });

  it('handles empty sides, CRLF and a missing final newline', () => {
    expect(render('', 'a\nb')).toEqual(['+a', '+b']);
    expect(render('a\nb\n', '')).toEqual(['-a', '-b']);
    expect(render('a\nb', 'a\nb\n')).toEqual([' a', ' b']);
    expect(render('a\r\nb\r\n', 'a\nb')).toEqual([' a', ' b']);
  });

  it('diffs large documents with a small change', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `  - id: rule-${i}`);
    const changed = [...lines];
    changed[25_000] = '  - id: changed';
    const diff = diffLines(lines.join('\n'), changed.join('\n'));
    expect(diff).toHaveLength(50_001);
    expect(diff.filter((d) => d.op !== ' ')).toEqual([
      { op: '-', text: '  - id: rule-25000' },
      { op: '+', text: '  - id: changed' },
    ]);
  });

  it('gives two large unrelated documents as all removed, then all added', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`);
    const diff = diffLines(a.join('\n'), b.join('\n'));
    expect(diff.map((d) => d.op).join('')).toBe('-'.repeat(20_000) + '+'.repeat(20_000));
    expect(diff[0]).toEqual({ op: '-', text: 'a0' });
    expect(diff[20_000]).toEqual({ op: '+', text: 'b0' });
    expect(unifiedDiff(a.join('\n'), b.join('\n')).startsWith('@@ -1,20000 +1,20000 @@\n-a0\n')).toBe(true);
  });
});

describe('unifiedDiff (kekkai policy diff)', () => {
  it('renders hunks with line numbers and context', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n');
    const b = a.replace('l5', 'L5').replace('l18', 'l18\nnew');
    expect(unifiedDiff(a, b, 1)).toBe(['@@ -4,3 +4,3 @@', ' l4', '-l5', '+L5', ' l6', '@@ -18,2 +18,3 @@', ' l18', '+new', ' l19', ''].join('\n'));
  });

  it('merges changes whose context overlaps into one hunk', () => {
    const out = unifiedDiff('a\nb\nc\nd\ne', 'A\nb\nc\nD\ne', 1);
    expect(out.match(/@@/g)).toHaveLength(2);
    expect(out.startsWith('@@ -1,5 +1,5 @@')).toBe(true);
  });

  it('numbers a pure insertion at the start as after line 0, and ignores line-end differences', () => {
    expect(unifiedDiff('b', 'a\nb', 0)).toBe('@@ -0,0 +1,1 @@\n+a\n');
    expect(unifiedDiff('a\r\nb', 'a\nb\n')).toBe('');
  });
});
