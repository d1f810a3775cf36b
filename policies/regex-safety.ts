/**
 * Refuses URL-rule regexes whose matching time can explode on a crafted URL (issue 9,
 * item 17: `([a-z0-9]+)+\.evil\.test` took 1.4 s per check at 26 characters, doubling
 * with each one). node's RegExp backtracks; without a linear-time engine (RE2) we
 * judge the pattern's shape instead, on the tree from regex-ast.ts:
 *
 * - **Exponential** shapes are refused outright: any quantifier inside a repeated part
 *   (`(a+)+`, `(\w+\.)*`, `(a?b)+`), alternatives under a repeat that can start with the
 *   same character (`(a|ab)*`), a repeated part that can match nothing (`(a|)*`);
 *   backreferences and lookarounds (parser).
 * - **Polynomial** cost is estimated as choices × n^e for an input of n characters. An
 *   open-ended repeat whose characters overlap what may follow it (`.*` before `\.pdf`)
 *   is a choice point with n outcomes: it adds 1 to e. One that cannot (`[^/]+` before
 *   `/`, or `.*` at the end) has a single outcome but scans up to n characters each time
 *   it is reached: together they add 1 more. An optional part, alternatives that can
 *   start alike, or a small bounded repeat (`{1,3}`) overlapping what follows multiply
 *   the choices by their number of outcomes. A pattern is refused when e > 2 or
 *   when the estimate for n = {@link MAX_REGEX_INPUT} exceeds {@link STEP_BUDGET}: two
 *   overlapping repeats, or one with up to n choices. In a random search over ~30,000
 *   accepted patterns against repetitive inputs of n characters, the slowest check took
 *   0.5 s on the loaded 2-core test machine (load ≈ 10); usual URL patterns take microseconds.
 *
 * Matching then never runs on more than {@link MAX_REGEX_INPUT} characters (rule-match.ts).
 * The check errs on refusing: it may turn away a pattern that would be fast, never the
 * other way round within these bounds.
 */
import { overlaps, parseRegex, RegexRefusal, type CharRanges, type RegexNode } from './regex-ast.js';

/** Regexes never run on longer URLs: such a URL is refused at the first regex rule it reaches. */
export const MAX_REGEX_INPUT = 2048;
/** Longest pattern accepted. */
export const MAX_REGEX_SOURCE = 1000;
/** Worst-case backtracking steps allowed for an input of MAX_REGEX_INPUT characters. */
export const STEP_BUDGET = MAX_REGEX_INPUT ** 2;

/** A bounded repeat with at most this many outcomes (`a{1,3}`) counts as choices, not as open-ended. */
const SMALL_RANGE = 64;

/** Why a pattern is refused, in English and Japanese. */
export interface RegexProblem {
  readonly en: string;
  readonly ja: string;
}

interface Facts {
  readonly first: CharRanges;
  readonly nullable: boolean;
}

function seqFacts(seq: readonly RegexNode[]): Facts {
  let first: CharRanges = [];
  for (const node of seq) {
    const f = facts(node);
    first = [...first, ...f.first];
    if (!f.nullable) return { first, nullable: false };
  }
  return { first, nullable: true };
}

/** The characters a node can start with, and whether it can match nothing. */
function facts(node: RegexNode): Facts {
  switch (node.kind) {
    case 'chars':
      return { first: node.set, nullable: false };
    case 'assert':
      return { first: [], nullable: true };
    case 'group': {
      const all = node.alternatives.map(seqFacts);
      return { first: all.flatMap((f) => f.first), nullable: all.some((f) => f.nullable) };
    }
    case 'repeat': {
      const body = facts(node.body);
      return { first: body.first, nullable: node.min === 0 || body.nullable };
    }
  }
}

interface Cost {
  /** Open-ended repeats that overlap what follows them. */
  repeats: number;
  /** Open-ended repeats that do not (each scans, once per time it is reached). */
  scans: number;
  choices: number;
}

/** True when two alternatives can begin the same way (a nullable one begins with what follows). */
function ambiguous(alternatives: ReadonlyArray<readonly RegexNode[]>, follow: CharRanges): boolean {
  const starts = alternatives.map((alt) => {
    const f = seqFacts(alt);
    return { first: f.nullable ? [...f.first, ...follow] : f.first, nullable: f.nullable };
  });
  return starts.some((a, i) => starts.slice(i + 1).some((b) => (a.nullable && b.nullable) || overlaps(a.first, b.first)));
}

function walkSeq(seq: readonly RegexNode[], follow: CharRanges, loop: string | null, cost: Cost): void {
  let after = follow;
  for (let j = seq.length - 1; j >= 0; j -= 1) {
    const node = seq[j]!;
    walkNode(node, after, loop, cost);
    const f = facts(node);
    after = f.nullable ? [...f.first, ...after] : f.first;
  }
}

function walkNode(node: RegexNode, follow: CharRanges, loop: string | null, cost: Cost): void {
  if (node.kind === 'group') {
    if (node.alternatives.length > 1 && ambiguous(node.alternatives, follow)) {
      if (loop !== null) {
        throw new RegexRefusal(
          `alternatives inside the repeated part ${JSON.stringify(loop)} can start with the same character, so matching can take exponential time`,
          `繰り返し部分「${loop}」の中の選択肢（|）が同じ文字で始まり得るため、照合に指数的な時間がかかるおそれがあります`,
        );
      }
      cost.choices *= node.alternatives.length;
    }
    for (const alt of node.alternatives) walkSeq(alt, follow, loop, cost);
    return;
  }
  if (node.kind !== 'repeat') return;
  if (loop !== null) {
    throw new RegexRefusal(
      `the quantifier in ${JSON.stringify(node.text)} is nested inside the repeated part ${JSON.stringify(loop)}, so matching can take exponential time`,
      `繰り返し部分「${loop}」の中に別の量指定子（「${node.text}」）があり、照合に指数的な時間がかかるおそれがあります`,
    );
  }
  const body = facts(node.body);
  if (node.max >= 2) {
    if (body.nullable) {
      throw new RegexRefusal(`the repeated part ${JSON.stringify(node.text)} can match the empty string`, `繰り返し部分「${node.text}」が空文字列に一致し得ます`);
    }
    walkNode(node.body, [...body.first, ...follow], node.text, cost);
    const outcomes = node.max - node.min + 1;
    if (outcomes > SMALL_RANGE) {
      if (overlaps(body.first, follow)) cost.repeats += 1;
      else cost.scans += 1;
    } else if (outcomes > 1 && overlaps(body.first, follow)) cost.choices *= outcomes;
    return;
  }
  if (node.min === 0 && node.max === 1 && (body.nullable || overlaps(body.first, follow))) cost.choices *= 2;
  walkNode(node.body, follow, null, cost);
}

/** Null when the pattern is safe to match with node's RegExp, else why not. The pattern must compile. */
export function regexSafetyProblem(source: string): RegexProblem | null {
  if (source.length > MAX_REGEX_SOURCE) {
    return { en: `the pattern is longer than ${MAX_REGEX_SOURCE} characters`, ja: `パターンが ${MAX_REGEX_SOURCE} 文字を超えています` };
  }
  try {
    const cost: Cost = { repeats: 0, scans: 0, choices: 1 };
    // Rules are anchored (^(?:…)$): nothing follows the pattern.
    walkNode(parseRegex(source), [], null, cost);
    const exponent = cost.repeats + (cost.scans > 0 ? 1 : 0);
    if (exponent > 2) {
      return {
        en: 'open-ended repeats that can overlap each other in sequence (such as .*a.*b.*c or [a-z]*[a-z]*[a-z]*) make matching a long URL take polynomial time; at most two may overlap',
        ja: '互いに重なり得る繰り返しが続いている（.*a.*b.*c や [a-z]*[a-z]*[a-z]* など）ため、長い URL の照合に時間がかかるおそれがあります（重なり得る繰り返しは 2 つまで）',
      };
    }
    if (cost.choices * MAX_REGEX_INPUT ** exponent > STEP_BUDGET) {
      return {
        en: 'it combines too many optional parts or alternatives that start alike with open-ended repeats, so matching can take too long',
        ja: '省略可能な部分や同じ文字で始まる選択肢と繰り返しの組み合わせが多すぎ、照合に時間がかかりすぎるおそれがあります',
      };
    }
    return null;
  } catch (err) {
    if (err instanceof RegexRefusal) return { en: err.en, ja: err.ja };
    throw err;
  }
}
