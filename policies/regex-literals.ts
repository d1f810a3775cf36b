/**
 * Required literals of a URL rule's regular expression: strings that every URL the
 * regex matches must contain. The rule index (rule-index.ts) files a regex rule under a
 * short piece of its longest required literal, so a URL only runs the regexes whose
 * literal it could contain instead of every regex of the policy.
 *
 * Conservative by construction: a literal is only reported when the pattern cannot match
 * without it. Anything not understood (a pattern regex-ast.ts refuses, alternatives,
 * optional parts) ends the current literal instead of guessing.
 */
import { parseRegex, type RegexNode } from './regex-ast.js';

/** The single code unit a node stands for, or null when it can be more than one. */
function singleUnit(node: RegexNode): string | null {
  if (node.kind !== 'chars' || node.set.length !== 1) return null;
  const [lo, hi] = node.set[0]!;
  return lo === hi ? String.fromCharCode(lo) : null;
}

/** Collects the literal runs of a sequence into `out`; returns the run still open at its end. */
function collect(sequence: readonly RegexNode[], out: string[], open: string): string {
  let run = open;
  const close = (): void => {
    if (run !== '') out.push(run);
    run = '';
  };
  for (const node of sequence) {
    const unit = singleUnit(node);
    if (unit !== null) {
      run += unit;
    } else if (node.kind === 'group' && node.alternatives.length === 1) {
      // (?:abc) and (abc) are the same characters in line.
      run = collect(node.alternatives[0]!, out, run);
    } else if (node.kind === 'repeat' && node.min >= 1) {
      // x+ or x{2,}: at least one x is there; what follows may not be adjacent to it.
      const inner = singleUnit(node.body);
      if (inner !== null) run += inner.repeat(node.min === node.max ? node.min : 1);
      else if (node.body.kind === 'group' && node.body.alternatives.length === 1) {
        close();
        const tail = collect(node.body.alternatives[0]!, out, '');
        if (tail !== '') out.push(tail);
      }
      if (node.min !== node.max) close();
    } else {
      close();
    }
  }
  return run;
}

/**
 * Strings that every input matched by `^(?:source)$` contains, longest first. Empty when
 * none is known (or the pattern is one regex-ast.ts does not accept).
 */
export function requiredLiterals(source: string): string[] {
  let root: RegexNode;
  try {
    root = parseRegex(source);
  } catch {
    return [];
  }
  if (root.kind !== 'group' || root.alternatives.length !== 1) return [];
  const out: string[] = [];
  const last = collect(root.alternatives[0]!, out, '');
  if (last !== '') out.push(last);
  return out.sort((a, b) => b.length - a.length);
}
