import { describe, expect, it } from 'vitest';
import { diffLines, formatUnifiedDiff, isUnchanged } from '../../../../gateway/policy-store/line-diff.js';

const render = (a: string, b: string): string[] => diffLines(a, b).map((d) => `${d.op}${d.text}`);

describe('diffLines', () => {
  it('marks identical texts unchanged', () => {
    const diff = diffLines('a\nb\n', 'a\nb\n');
    expect(isUnchanged(diff)).toBe(true);
    expect(formatUnifiedDiff(diff)).toBe('');
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

  it('handles empty sides and a missing final newline', () => {
    expect(render('', 'a\nb')).toEqual(['+a', '+b']);
    expect(render('a\nb\n', '')).toEqual(['-a', '-b']);
    expect(render('a\nb', 'a\nb\n')).toEqual([' a', ' b']);
  });

  it('falls back to remove-all/add-all past the size limit and stays correct', () => {
    const diff = diffLines('k\na\nb\nk', 'k\nb\na\nk', { maxCells: 1 });
    expect(diff.map((d) => `${d.op}${d.text}`)).toEqual([' k', '-a', '-b', '+b', '+a', ' k']);
  });

  it('diffs large documents with a small change quickly (common ends trimmed)', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `  - id: rule-${i}`);
    const changed = [...lines];
    changed[25_000] = '  - id: changed';
    const diff = diffLines(lines.join('\n'), changed.join('\n'));
    expect(diff.filter((d) => d.op !== ' ')).toEqual([
      { op: '-', text: '  - id: rule-25000' },
      { op: '+', text: '  - id: changed' },
    ]);
  });
});

describe('formatUnifiedDiff', () => {
  it('renders hunks with line numbers and context', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n');
    const b = a.replace('l5', 'L5').replace('l18', 'l18\nnew');
    expect(formatUnifiedDiff(diffLines(a, b), 1)).toBe(['@@ -4,3 +4,3 @@', ' l4', '-l5', '+L5', ' l6', '@@ -18,2 +18,3 @@', ' l18', '+new', ' l19', ''].join('\n'));
  });

  it('merges changes whose context overlaps into one hunk', () => {
    const out = formatUnifiedDiff(diffLines('a\nb\nc\nd\ne', 'A\nb\nc\nD\ne'), 1);
    expect(out.match(/@@/g)).toHaveLength(2);
    expect(out.startsWith('@@ -1,5 +1,5 @@')).toBe(true);
  });

  it('numbers a pure insertion at the start as after line 0', () => {
    expect(formatUnifiedDiff(diffLines('b', 'a\nb'), 0)).toBe('@@ -0,0 +1,1 @@\n+a\n');
  });
});
