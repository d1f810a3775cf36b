/**
 * A small line diff (longest common subsequence) for comparing policy versions, and a
 * unified-diff style rendering. Common leading and trailing lines are trimmed first, so
 * the quadratic part only sees the changed middle; past `maxCells` it falls back to
 * "remove all, add all" for the middle instead of using unbounded memory.
 */

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

const DEFAULT_MAX_CELLS = 16_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lcsMiddle(a: readonly string[], b: readonly string[], maxCells: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || n * m > maxCells) {
    return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  }
  // lengths[i][j] = LCS length of a[i..] and b[j..], in one flat array.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  while (i < n) out.push({ op: '-', text: a[i++]! });
  while (j < m) out.push({ op: '+', text: b[j++]! });
  return out;
}

/** Diffs two texts line by line. Removed lines come before added ones within a change. */
export function diffLines(before: string, after: string, opts: { maxCells?: number } = {}): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const keep = (lines: string[]): DiffLine[] => lines.map((text) => ({ op: ' ', text }));
  return [...keep(a.slice(0, start)), ...lcsMiddle(a.slice(start, endA), b.slice(start, endB), opts.maxCells ?? DEFAULT_MAX_CELLS), ...keep(a.slice(endA))];
}

/** True when the diff has no added or removed line. */
export function isUnchanged(diff: readonly DiffLine[]): boolean {
  return diff.every((d) => d.op === ' ');
}

/**
 * Renders a diff like `diff -u` without file headers: `@@ -a,b +c,d @@` hunks with
 * `context` unchanged lines around each change. Empty string when nothing changed.
 */
export function formatUnifiedDiff(diff: readonly DiffLine[], context = 3): string {
  const changed = diff.map((d, i) => (d.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  // Group changed positions whose context windows touch.
  const ranges: Array<[number, number]> = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(diff.length - 1, i + context);
    const last = ranges[ranges.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else ranges.push([lo, hi]);
  }
  const lineA: number[] = [];
  const lineB: number[] = [];
  let na = 0;
  let nb = 0;
  for (const d of diff) {
    lineA.push(na + 1);
    lineB.push(nb + 1);
    if (d.op !== '+') na++;
    if (d.op !== '-') nb++;
  }
  const out: string[] = [];
  for (const [lo, hi] of ranges) {
    const slice = diff.slice(lo, hi + 1);
    const countA = slice.filter((d) => d.op !== '+').length;
    const countB = slice.filter((d) => d.op !== '-').length;
    const startA = countA === 0 ? lineA[lo]! - 1 : lineA[lo]!;
    const startB = countB === 0 ? lineB[lo]! - 1 : lineB[lo]!;
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const d of slice) out.push(`${d.op}${d.text}`);
  }
  return `${out.join('\n')}\n`;
}
