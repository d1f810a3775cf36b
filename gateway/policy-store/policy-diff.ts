/**
 * Line diffs of two policy versions' YAML, computed with jsdiff (`diff`): the console and
 * API show every line as kept (` `), removed (`-`) or added (`+`); `kekkai policy diff`
 * prints unified-diff hunks. CRLF or LF and a missing final newline make no difference.
 * The edit distance is bounded so that two large, unrelated documents cannot tie up the
 * gateway; past the bound (a rewrite, not an edit) the diff shows the whole old text
 * removed and the new one added.
 */
import { diffArrays, formatPatch, OMIT_HEADERS, structuredPatch } from 'diff';

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

/**
 * Changed lines (removed plus added) beyond which the diff gives up finding common lines.
 * The search grows with its square: 1000 costs about 0.15 s in the worst case.
 */
const MAX_EDIT_LENGTH = 1000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const removedThenAdded = (a: readonly string[], b: readonly string[]): DiffLine[] => [
  ...a.map((text) => ({ op: '-' as const, text })),
  ...b.map((text) => ({ op: '+' as const, text })),
];

/** Diffs two texts line by line. Removed lines come before added ones within a change. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const changes = diffArrays(a, b, { maxEditLength: MAX_EDIT_LENGTH });
  if (!changes) return removedThenAdded(a, b);
  return changes.flatMap((c) => c.value.map((text): DiffLine => ({ op: c.added ? '+' : c.removed ? '-' : ' ', text })));
}

/**
 * Renders the diff like `diff -u` without file headers: `@@ -a,b +c,d @@` hunks with
 * `context` unchanged lines around each change. Empty string when nothing changed.
 */
export function unifiedDiff(before: string, after: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');
  const patch = structuredPatch('', '', text(a), text(b), undefined, undefined, { context, maxEditLength: MAX_EDIT_LENGTH });
  if (patch && patch.hunks.length === 0) return '';
  if (patch) return formatPatch(patch, OMIT_HEADERS);
  const lines = removedThenAdded(a, b).map((d) => `${d.op}${d.text}\n`);
  return `@@ -${a.length ? 1 : 0},${a.length} +${b.length ? 1 : 0},${b.length} @@\n${lines.join('')}`;
}
