/**
 * A small parser for the JavaScript regular expressions admins write in URL rules,
 * producing the tree that regex-safety.ts checks for catastrophic backtracking.
 *
 * Why hand-written: node's RegExp is a backtracking engine and kekkai has no
 * linear-time engine (RE2 needs a native or WASM package). What we need is not a
 * matcher but a conservative *judgement* of a pattern's shape: which parts repeat,
 * which alternatives can start alike, which characters each part can begin with. No
 * library exposes that for JavaScript's own dialect (non-unicode mode, Annex B), and a
 * general-purpose regex parser would be a far larger surface than this subset.
 *
 * Conservative by construction: anything this parser does not fully understand
 * (lookarounds, backreferences, legacy octal escapes, `\c` oddities, unknown `(?…`
 * groups, unbalanced parentheses) raises {@link RegexRefusal} instead of guessing.
 * The pattern must already compile with `new RegExp` (no flags) — syntax errors are
 * reported by the schema first. Character sets are exact UTF-16 code-unit ranges, except
 * `.`, taken as every code unit (line terminators included): over-approximating only
 * makes the safety check refuse more, never less.
 */

/** Inclusive UTF-16 code-unit ranges. */
export type CharRanges = ReadonlyArray<readonly [number, number]>;

/** A parsed pattern. Sequences are arrays of nodes; a group holds alternatives. */
export type RegexNode =
  | { readonly kind: 'chars'; readonly set: CharRanges }
  | { readonly kind: 'assert' }
  | { readonly kind: 'group'; readonly alternatives: ReadonlyArray<readonly RegexNode[]> }
  | { readonly kind: 'repeat'; readonly body: RegexNode; readonly min: number; readonly max: number; readonly text: string };

/** Why a pattern is refused; `en` and `ja` are user-facing reasons. */
export class RegexRefusal extends Error {
  constructor(
    readonly en: string,
    readonly ja: string,
  ) {
    super(en);
  }
}

const MAX_UNIT = 0xffff;
export const ANY: CharRanges = [[0, MAX_UNIT]];
const DIGIT: CharRanges = [[48, 57]];
const WORD: CharRanges = [[48, 57], [65, 90], [95, 95], [97, 122]];
// JavaScript's \s: WhiteSpace and LineTerminator.
const SPACE: CharRanges = [[9, 13], [32, 32], [160, 160], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

/** The code units not in `set`. */
export function complement(set: CharRanges): CharRanges {
  const sorted = [...set].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_UNIT) out.push([next, MAX_UNIT]);
  return out;
}

/** True when the two sets share a code unit. */
export function overlaps(a: CharRanges, b: CharRanges): boolean {
  return a.some(([lo, hi]) => b.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));
}

const refuseLookaround = (): never => {
  throw new RegexRefusal('lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not allowed', '先読み・後読み（(?=、(?!、(?<=、(?<!）は使えません');
};
const refuseBackreference = (): never => {
  throw new RegexRefusal('backreferences (\\1 … \\9, \\k<name>) are not allowed', '後方参照（\\1〜\\9、\\k<name>）は使えません');
};
const refuseUnsupported = (what: string): never => {
  throw new RegexRefusal(`the construct ${JSON.stringify(what)} is not supported`, `「${what}」という書き方には対応していません`);
};

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): RegexNode {
    const alternatives = this.alternatives();
    if (this.i < this.s.length) {
      throw new RegexRefusal('unbalanced parenthesis ")"', '括弧「)」の対応が取れていません');
    }
    return { kind: 'group', alternatives };
  }

  private alternatives(): RegexNode[][] {
    const out = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i += 1;
      out.push(this.sequence());
    }
    return out;
  }

  private sequence(): RegexNode[] {
    const items: RegexNode[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const start = this.i;
      const atom = this.atom();
      const q = this.quantifier();
      items.push(q ? { kind: 'repeat', body: atom, min: q.min, max: q.max, text: this.s.slice(start, this.i) } : atom);
    }
    return items;
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.s[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) this.i += 1;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) return null; // Annex B: a lone "{" is a literal, read by atom()
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
      this.i += m[0].length;
    }
    if (q && this.s[this.i] === '?') this.i += 1; // lazy: same shape for backtracking
    return q;
  }

  private atom(): RegexNode {
    const c = this.s[this.i]!;
    this.i += 1;
    if (c === '(') return this.group();
    if (c === '[') return { kind: 'chars', set: this.charClass() };
    if (c === '\\') return this.escape();
    if (c === '.') return { kind: 'chars', set: ANY };
    if (c === '^' || c === '$') return { kind: 'assert' };
    return { kind: 'chars', set: [[c.charCodeAt(0), c.charCodeAt(0)]] };
  }

  private group(): RegexNode {
    const rest = this.s.slice(this.i);
    if (/^\?(=|!|<=|<!)/.test(rest)) refuseLookaround();
    if (rest.startsWith('?:')) this.i += 2;
    else if (rest.startsWith('?<')) {
      const m = /^\?<[A-Za-z_$][A-Za-z0-9_$]*>/.exec(rest);
      if (!m) refuseUnsupported('(?<');
      this.i += m![0].length;
    } else if (rest.startsWith('?')) refuseUnsupported(`(${rest.slice(0, 3)}`);
    const alternatives = this.alternatives();
    if (this.s[this.i] !== ')') refuseUnsupported('(');
    this.i += 1;
    return { kind: 'group', alternatives };
  }

  /** After a backslash outside a class. */
  private escape(): RegexNode {
    const c = this.s[this.i]!;
    if (c === 'b' || c === 'B') {
      this.i += 1;
      return { kind: 'assert' };
    }
    if (/[1-9]/.test(c) || c === 'k') refuseBackreference();
    return { kind: 'chars', set: this.escapedSet() };
  }

  /** The set an escape (after the backslash) stands for, in or out of a class. */
  private escapedSet(inClass = false): CharRanges {
    const c = this.s[this.i]!;
    this.i += 1;
    const classes: Record<string, CharRanges> = { d: DIGIT, D: complement(DIGIT), w: WORD, W: complement(WORD), s: SPACE, S: complement(SPACE) };
    if (c in classes) return classes[c]!;
    if (inClass && c === 'b') return [[8, 8]];
    if (c === '0') {
      if (/[0-9]/.test(this.s[this.i] ?? '')) refuseUnsupported('\\0 followed by a digit (octal escape)');
      return [[0, 0]];
    }
    if (/[1-9]/.test(c)) refuseUnsupported(`\\${c} (octal escape or backreference)`);
    if (c === 'c') {
      const letter = this.s[this.i] ?? '';
      if (!/[A-Za-z]/.test(letter)) refuseUnsupported('\\c');
      this.i += 1;
      return [[letter.charCodeAt(0) % 32, letter.charCodeAt(0) % 32]];
    }
    const hex = c === 'x' ? /^[0-9A-Fa-f]{2}/.exec(this.s.slice(this.i)) : c === 'u' ? /^[0-9A-Fa-f]{4}/.exec(this.s.slice(this.i)) : null;
    if (hex) {
      this.i += hex[0].length;
      const code = parseInt(hex[0], 16);
      return [[code, code]];
    }
    const code = SIMPLE_ESCAPES[c] ?? c.charCodeAt(0);
    return [[code, code]];
  }

  /** After "[": up to and including the closing "]". */
  private charClass(): CharRanges {
    const negate = this.s[this.i] === '^';
    if (negate) this.i += 1;
    const out: Array<readonly [number, number]> = [];
    while (this.s[this.i] !== ']') {
      if (this.i >= this.s.length) refuseUnsupported('[');
      const first = this.classAtom();
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i += 1;
        const second = this.classAtom();
        const single = (r: CharRanges) => (r.length === 1 && r[0]![0] === r[0]![1] ? r[0]![0] : null);
        const lo = single(first);
        const hi = single(second);
        // Annex B allows [\d-x] (a literal "-"); count all three parts.
        if (lo === null || hi === null) out.push(...first, ...second, [45, 45]);
        else out.push([lo, hi]);
      } else out.push(...first);
    }
    this.i += 1;
    return negate ? complement(out) : out;
  }

  private classAtom(): CharRanges {
    const c = this.s[this.i]!;
    this.i += 1;
    if (c !== '\\') return [[c.charCodeAt(0), c.charCodeAt(0)]];
    return this.escapedSet(true);
  }
}

/** Parses a pattern that already compiles; throws {@link RegexRefusal} for what it does not accept. */
export function parseRegex(source: string): RegexNode {
  return new Parser(source).parse();
}
